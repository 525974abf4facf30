import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from './api.js';
import { h, table } from './dom.js';
import { health, mtls, ms, percent, rps } from './format.js';
import { HISTORY_SECONDS, goldenSeries } from './series.js';

// The tiles: the last 30 s, as meshctl stat shows them. The charts: one point per step from the history.
const WINDOW = '30s';

function timeRange(min, max) {
  const end = max ?? Date.now() / 1000;
  return [Math.min(min ?? end, end - 120), end];
}

function chart(title, series, width, range) {
  const holder = h('div', { class: 'chart' }, h('h3', null, title));
  const plot = new uPlot({
    width, height: 160,
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, spanGaps: false }))],
    axes: [{}, { size: 50 }],
        scales: { x: { time: true, auto: false }, y: range ? { range } : {} },
    legend: { live: false },
  }, [[], ...series.map(() => [])], holder);
  return {
    holder,
    update: (samples, first) => {
      plot.setData([samples.map((s) => s.t), ...series.map((s) => samples.map(s.pick))], false);
      // What tests read: how many points have a value (a gap is no point), and how many the history gave at once.
      const drawn = String(samples.filter((sample) => series.some((s) => s.pick(sample) !== null)).length);
      holder.dataset.points = drawn;
      if (first) {
        holder.dataset.historyPoints = drawn;
      }
      // At least the last two minutes on the time axis: uPlot would stretch the first samples over years.
      const [min, max] = timeRange(samples[0]?.t, samples.at(-1)?.t);
      plot.setScale('x', { min, max });
    },
  };
}

function endpointRows(service) {
  return service.endpoints.map((e) => h('tr', { class: e.ready ? '' : 'not-ready' },
    h('td', null, e.workload), h('td', null, e.address), h('td', null, e.port), h('td', null, e.targetPort),
    h('td', null, h('span', { class: `pill ${e.ready ? 'good' : 'bad'}` }, e.ready ? 'ready' : 'not ready')),
    h('td', null, e.meshed ? 'yes' : 'no')));
}

function policyRows(policies) {
  return policies.map((p) => h('tr', null,
    h('td', null, p.kind), h('td', null, p.name), h('td', null, p.target),
    h('td', null, h('span', { class: `pill ${p.accepted ? 'good' : 'bad'}` }, p.accepted ? 'accepted' : 'rejected')),
    h('td', null, p.error ?? (p.clusters ?? []).join(', '))));
}

function tile(label, value, kind) {
  return h('div', { class: `tile ${kind ?? ''}` }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label));
}

export function serviceView(container, namespace, name) {
  const key = `${namespace}/${name}`;
  const tiles = h('div', { class: 'tiles', id: 'service-tiles' });
  const details = h('div', { id: 'service-details' });
  const width = Math.max(320, Math.min(560, container.clientWidth / 2 - 40));
  const heading = h('h2', null, 'Golden metrics');
  const golden = goldenSeries(namespace, name);
  const charts = [
    chart('Requests per second', [{ label: 'rps', colour: '#3b6fb6', pick: (s) => s.rps }], width),
    chart('Success rate', [{ label: 'success', colour: '#2e9d57', pick: (s) => s.success }], width, [0, 1]),
    chart('Latency (ms)', [
      { label: 'p50', colour: '#2e9d57', pick: (s) => s.p50 },
      { label: 'p95', colour: '#d99a1e', pick: (s) => s.p95 },
      { label: 'p99', colour: '#d23c3c', pick: (s) => s.p99 },
    ], width),
  ];
  container.append(h('section', { class: 'panel', id: 'service-page', 'data-service': key },
    h('p', null, h('a', { href: '#/graph' }, '← service graph')),
    h('h1', null, `Service ${name}`, h('span', { class: 'muted' }, ` in ${namespace}`)),
    tiles,
    heading,
    h('div', { class: 'charts' }, charts.map((c) => c.holder)),
    details));

  async function refresh() {
    const [services, policies, stats, series] = await Promise.all(
      [api.services(), api.policies(), api.stat(namespace, name, WINDOW), golden.load()]);
    const service = services.find((s) => s.namespace === namespace && s.name === name);
    const stat = stats.find((s) => s.namespace === namespace && s.service === name);
    charts.forEach((c) => c.update(series.samples, series.first));
    const step = golden.stepSeconds();
    heading.textContent = step === null
      ? 'Golden metrics'
      : `Golden metrics (the last ${HISTORY_SECONDS / 60} minutes, a point every ${step} s)`;

    const ready = service ? service.endpoints.filter((e) => e.ready).length : 0;
    tiles.replaceChildren(
      tile('requests/s', rps(stat?.rps ?? 0)),
      tile('success rate', percent(stat?.successRate), health(stat?.successRate)),
      tile('p50 / p95 / p99', `${ms(stat?.latencyMs?.p50)} / ${ms(stat?.latencyMs?.p95)} / ${ms(stat?.latencyMs?.p99)}`),
      tile('transport', mtls(stat?.mtlsShare)),
      tile('ready endpoints', service ? `${ready}/${service.endpoints.length}` : '–', service && ready === 0 ? 'bad' : ''),
      tile('meshed workloads', stat?.meshed ?? '–'));

    if (!service) {
      details.replaceChildren(h('p', { class: 'error' }, `No Service ${key} in the mesh.`));
      return;
    }
    const attached = policies.filter((p) => p.namespace === namespace && p.target.split(':')[0] === name);
    details.replaceChildren(
      h('h2', null, 'Ports'),
      table(['name', 'port', 'target port', 'protocol', 'app protocol'], service.ports.map((p) => h('tr', null,
        h('td', null, p.name || '–'), h('td', null, p.port), h('td', null, p.targetPort), h('td', null, p.protocol), h('td', null, p.appProtocol ?? '–')))),
      h('h2', null, `Endpoints (${ready}/${service.endpoints.length} ready)`),
      service.endpoints.length === 0
        ? h('p', { class: 'error' }, 'No endpoint: the selector matches no pod, or no pod declares the target port.')
        : table(['workload', 'address', 'service port', 'target port', 'readiness', 'meshed'], endpointRows(service), { id: 'endpoints' }),
      h('h2', null, 'Policies and routes'),
      attached.length === 0
        ? h('p', { class: 'muted' }, 'None attached.')
        : table(['kind', 'name', 'target', 'status', 'clusters / error'], policyRows(attached), { id: 'policies' }));
  }

  return { refresh, dispose: () => {} };
}
