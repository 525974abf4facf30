import { api } from './api.js';
import { h, table } from './dom.js';

// The control plane states SYNCED / STALE / NACKED itself (as meshctl proxy-status shows it); the fallback reads the
// same rule from the versions for a control plane that does not.
export function syncState(proxy) {
  if (proxy.status) {
    return proxy.status;
  }
  if (proxy.lastNack && proxy.lastNack.version === proxy.sentVersion) {
    return 'NACKED';
  }
  return proxy.ackedVersion && proxy.ackedVersion === proxy.sentVersion ? 'SYNCED' : 'STALE';
}

const stateClass = { SYNCED: 'good', STALE: 'warn', NACKED: 'bad' };

export function proxiesView(container) {
  const body = h('div', { id: 'proxies' });
  container.append(h('section', { class: 'panel' }, h('h1', null, 'Proxy status'), body));

  async function refresh() {
    const proxies = await api.proxies();
    proxies.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    body.replaceChildren(proxies.length === 0
      ? h('p', { class: 'muted' }, 'No sidecar is connected.')
      : table(['name', 'namespace', 'address', 'service account', 'ready', 'status', 'sent', 'acked', 'since ACK', 'connected', 'last NACK'],
        proxies.map((p) => {
          const state = syncState(p);
          return h('tr', null,
            h('td', null, p.name), h('td', null, p.namespace), h('td', null, `${p.address}:${p.inboundPort}`),
            h('td', null, p.serviceAccount), h('td', null, p.ready ? 'yes' : 'no'),
            h('td', null, h('span', { class: `pill ${stateClass[state] ?? ''}` }, state)),
            h('td', null, p.sentVersion ?? '–'), h('td', null, p.ackedVersion ?? '–'),
            h('td', null, p.secondsSinceAck === null || p.secondsSinceAck === undefined ? '–' : `${p.secondsSinceAck}s`),
            h('td', null, p.connectedAt ? new Date(p.connectedAt).toLocaleTimeString() : '–'),
            h('td', { class: p.lastNack ? 'error' : 'muted' }, p.lastNack ? `${p.lastNack.version}: ${p.lastNack.message}` : '–'));
        }), { class: 'proxies' }));
  }

  return { refresh, dispose: () => {} };
}
