import cytoscape from 'cytoscape';
import { api } from './api.js';
import { h } from './dom.js';
import { edgeTips } from './edgetip.js';
import { health, healthColour, mtls, ms, percent, rps } from './format.js';

const WINDOW = '30s';

const style = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'bottom',
      'text-margin-y': 6,
      'font-size': 11,
      color: '#1d2733',
      'background-color': (node) => healthColour[node.data('health')],
      'border-width': 2,
      'border-color': '#ffffff',
      width: 34,
      height: 34,
    },
  },
  { selector: 'node[kind = "workload"]', style: { shape: 'round-rectangle', 'background-color': '#5b7fa6', width: 30, height: 22 } },
  { selector: 'node[kind = "service"]', style: { shape: 'ellipse', cursor: 'pointer' } },
  {
    selector: 'edge',
    style: {
      label: 'data(label)',
      'font-size': 9,
      'text-wrap': 'wrap',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': 2,
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      width: 'data(width)',
      'line-color': (edge) => healthColour[edge.data('health')],
      'target-arrow-color': (edge) => healthColour[edge.data('health')],
    },
  },
  { selector: 'edge[?plaintext]', style: { 'line-style': 'dashed' } },
  {
    selector: 'edge[kind = "member"]',
    style: { label: '', width: 1.5, 'line-style': 'dotted', 'line-color': '#b8c1cc', 'target-arrow-shape': 'none' },
  },
];

function serviceId(namespace, name) {
  return `svc:${namespace}/${name}`;
}

function workloadId(namespace, name) {
  return `wl:${namespace}/${name}`;
}

// The node's second line: its traffic, else how many endpoints are ready; an ExternalName Service has none by design.
function serviceDetail(service, stat, ready) {
  if (stat && stat.requests > 0) {
    return `${rps(stat.rps)} rps`;
  }
  return service.externalName ? `→ ${service.externalName}` : `${ready}/${service.endpoints.length} ready`;
}

// Turns the admin API's views into cytoscape elements: every Service, every workload seen calling one.
export function toElements(services, stats, edges) {
  const statsByService = new Map(stats.map((s) => [serviceId(s.namespace, s.service), s]));
  const nodes = new Map();
  for (const service of services) {
    const id = serviceId(service.namespace, service.name);
    const stat = statsByService.get(id);
    const ready = service.endpoints.filter((e) => e.ready).length;
    nodes.set(id, {
      id, kind: 'service', namespace: service.namespace, name: service.name,
      health: ready === 0 && service.endpoints.length > 0 ? 'bad' : health(stat?.successRate),
      rps: stat?.rps ?? 0,
      label: `${service.name}.${service.namespace}\n${serviceDetail(service, stat, ready)}`,
    });
  }
  const edgeData = [];
  for (const edge of edges) {
    const source = workloadId(edge.source.namespace, edge.source.workload);
    const target = serviceId(edge.destination.namespace, edge.destination.service);
    if (!nodes.has(source)) {
      nodes.set(source, {
        id: source, kind: 'workload', namespace: edge.source.namespace, name: edge.source.workload,
        health: 'idle', rps: 0, label: `${edge.source.workload || '(unknown)'}\nworkload · ${edge.source.namespace}`,
      });
    }
    if (!nodes.has(target)) {
      nodes.set(target, {
        id: target, kind: 'service', namespace: edge.destination.namespace, name: edge.destination.service,
        health: health(edge.successRate), rps: edge.rps, label: `${edge.destination.service}.${edge.destination.namespace}`,
      });
    }
    edgeData.push({
      id: `${source}->${target}`, source, target, kind: 'traffic',
      rps: edge.rps, successRate: edge.successRate, p99Ms: edge.p99Ms, mtlsShare: edge.mtlsShare,
      health: health(edge.successRate),
      plaintext: edge.mtlsShare !== null && edge.mtlsShare < 0.9995,
      width: Math.min(8, 1.5 + Math.log2(1 + edge.rps)),
      label: `${rps(edge.rps)} rps · ${percent(edge.successRate)}\np99 ${ms(edge.p99Ms)} · ${mtls(edge.mtlsShare)}`,
    });
  }
  // A calling workload also serves its own Service when that Service's endpoints are its pods (ReplicaSet-style
  // names: <workload>-<hash>-<suffix>), which links the callers' side of the graph to the Services they back.
  for (const service of services) {
    const target = serviceId(service.namespace, service.name);
    const owners = new Set();
    for (const endpoint of service.endpoints) {
      // "ns/pod" from manifests' pods; a bare name from other sources.
      const pod = endpoint.workload.includes('/') ? endpoint.workload.slice(endpoint.workload.indexOf('/') + 1) : endpoint.workload;
      for (const node of nodes.values()) {
        if (node.kind === 'workload' && node.namespace === service.namespace && pod.startsWith(`${node.name}-`)) {
          owners.add(node.id);
        }
      }
    }
    for (const owner of owners) {
      edgeData.push({ id: `${target}~${owner}`, source: target, target: owner, kind: 'member', rps: 0, width: 1.5, health: 'idle' });
    }
  }
  return { nodes: [...nodes.values()], edges: edgeData };
}

export function graphView(container, navigate) {
  const legend = h('div', { class: 'legend' },
    h('span', { class: 'dot good' }), 'success ≥ 99 %',
    h('span', { class: 'dot warn' }), '≥ 95 %',
    h('span', { class: 'dot bad' }), 'below / no ready endpoint',
    h('span', { class: 'dot idle' }), 'no traffic',
    h('span', { class: 'dash' }), 'plaintext',
    h('span', { class: 'hint' }, `edges: last ${WINDOW}; hover an edge for its history; click a service`));
  const canvas = h('div', { id: 'graph', class: 'graph' });
  const panel = h('section', { class: 'panel' }, h('h1', null, 'Service graph'), legend, canvas);
  container.append(panel);

  const cy = cytoscape({ container: canvas, style, wheelSensitivity: 0.2, minZoom: 0.3, maxZoom: 3 });
  cy.on('tap', 'node[kind = "service"]', (event) => {
    const node = event.target;
    navigate(`#/service/${encodeURIComponent(node.data('namespace'))}/${encodeURIComponent(node.data('name'))}`);
  });
  const tips = edgeTips(cy, panel);
  let shape = '';
  window.meshnetDashboard.cy = cy;

  async function refresh() {
    const [services, stats, edges] = await Promise.all([api.services(), api.stat('', '', WINDOW), api.edges(WINDOW)]);
    const { nodes, edges: links } = toElements(services, stats, edges);
    cy.batch(() => {
      const wanted = new Set([...nodes, ...links].map((e) => e.id));
      cy.elements().filter((e) => !wanted.has(e.id())).remove();
      for (const node of nodes) {
        const existing = cy.getElementById(node.id);
        existing.nonempty() ? existing.data(node) : cy.add({ group: 'nodes', data: node });
      }
      for (const link of links) {
        const existing = cy.getElementById(link.id);
        existing.nonempty() ? existing.data(link) : cy.add({ group: 'edges', data: link });
      }
    });
    // Re-layout only when the topology changes, so a refresh never makes the picture jump.
    const nextShape = [...cy.elements().map((e) => e.id())].sort().join('|');
    if (nextShape !== shape) {
      shape = nextShape;
      const roots = cy.nodes().filter((n) => n.indegree(false) === 0 && n.outdegree(false) > 0);
      cy.layout({ name: 'breadthfirst', directed: true, roots: roots.nonempty() ? roots : undefined, spacingFactor: 1.3, padding: 30, animate: false }).run();
    }
    canvas.dataset.edges = String(links.filter((l) => l.kind === 'traffic').length);
    canvas.dataset.refreshed = String(Date.now());
  }

  return {
    refresh,
    dispose: () => {
      tips.dispose();
      cy.destroy();
    },
  };
}
