using MeshNet.Cli.Output;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Cli.Tests.Output;

public sealed class WaitIndicatorTests
{
    [Fact]
    public async Task Piped_WritesEachNewStatusOnce_AsPlainLines()
    {
        var output = new StringWriter { NewLine = "\n" };

        await using (var wait = WaitIndicator.Start(output, interactive: false, "meshctl up: ", "0/3 pods ready", new FakeTimeProvider()))
        {
            wait.Update("1/3 pods ready");
            wait.Update("1/3 pods ready");
            wait.Update("3/3 pods ready");
        }

        Assert.Equal("meshctl up: 0/3 pods ready\nmeshctl up: 1/3 pods ready\nmeshctl up: 3/3 pods ready\n", output.ToString());
    }

    [Fact]
    public async Task OnATerminal_DrawsOneLineInPlace_AndErasesItWhenDone()
    {
        var output = new StringWriter();

        await using (WaitIndicator.Start(output, interactive: true, "meshctl up: ", "starting the control plane and the pods", new FakeTimeProvider()))
        {
            Assert.Equal("\r⠋ meshctl up: starting the control plane and the pods (0s)", output.ToString());
        }

        var text = output.ToString();
        Assert.DoesNotContain('\n', text);
        var drawn = "⠋ meshctl up: starting the control plane and the pods (0s)";
        Assert.EndsWith("\r" + new string(' ', drawn.Length) + "\r", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnATerminal_ShowsTheNewStatus_AndTheSecondsWaited_OnTheNextFrame()
    {
        var time = new FakeTimeProvider();
        var output = new WatchedWriter("4/9 pods ready (1s)");
        await using var wait = WaitIndicator.Start(output, interactive: true, string.Empty, "0/9 pods ready", time);

        wait.Update("4/9 pods ready");
        Assert.DoesNotContain("4/9", output.ToString(), StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(1));

        await output.Seen.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("\r⠋ 0/9 pods ready (0s)\r⠙ 4/9 pods ready (1s)", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Completes <see cref="Seen"/> once the text written so far contains the expected text.</summary>
    private sealed class WatchedWriter(string expected) : StringWriter
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public override void Write(string? value)
        {
            base.Write(value);
            if (ToString().Contains(expected, StringComparison.Ordinal))
            {
                _seen.TrySetResult();
            }
        }
    }
}
