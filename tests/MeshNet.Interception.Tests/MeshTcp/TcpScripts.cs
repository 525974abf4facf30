namespace MeshNet.Interception.Tests.MeshTcp;

/// <summary>Small Python programs run inside pods: an echo server, a half-closing client, and a packet capture.</summary>
internal static class TcpScripts
{
    /// <summary>Reads each connection to its end, answers "echo:" + what it read, closes.</summary>
    public static string EchoServer(string address, int port) => $$"""
        import socket
        server = socket.create_server(("{{address}}", {{port}}))
        while True:
            conn, _ = server.accept()
            data = b""
            try:
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(b"echo:" + data)
            except OSError:
                pass
            conn.close()
        """;

    /// <summary>
    /// Sends <paramref name="message"/>, half-closes, prints what came back before the end ("" when the connection
    /// was closed or reset without an answer, which is how a refused connection looks to a raw TCP client).
    /// </summary>
    public static string Client(string address, int port, string message) => $$"""
        import socket
        s = socket.create_connection(("{{address}}", {{port}}), timeout=10)
        answer = b""
        try:
            s.sendall(b"{{message}}")
            s.shutdown(socket.SHUT_WR)
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
        print(answer.decode(), end="")
        """;

    /// <summary>
    /// Captures TCP segments on eth0 to or from <paramref name="port"/> (AF_PACKET, before any NAT) until SIGTERM, then
    /// prints "segments=N first=HEX cleartext=True|False": how many carried payload, the first byte of the first one
    /// towards the port, and whether <paramref name="needle"/> appeared in any payload.
    /// </summary>
    public static string Capture(int port, string needle) => $$"""
        import signal, socket, struct, sys
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(3))
        s.bind(("eth0", 0))
        s.settimeout(0.2)
        segments, first, seen = 0, "", bytearray()
        stop = False
        def done(*_):
            global stop
            stop = True
        signal.signal(signal.SIGTERM, done)
        print("capturing", flush=True)
        while not stop:
            try:
                frame = s.recv(65535)
            except socket.timeout:
                continue
            if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
                continue
            ip = frame[14:]
            ihl = (ip[0] & 15) * 4
            tcp = ip[ihl:]
            sport, dport = struct.unpack("!HH", tcp[:4])
            if {{port}} not in (sport, dport):
                continue
            total = struct.unpack("!H", ip[2:4])[0]
            payload = ip[ihl + (tcp[12] >> 4) * 4:total]
            if payload:
                segments += 1
                seen += payload
                if dport == {{port}} and not first:
                    first = "%02x" % payload[0]
        print("segments=%d first=%s cleartext=%s" % (segments, first, b"{{needle}}" in bytes(seen)), flush=True)
        """;
}
