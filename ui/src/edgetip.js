import uPlot from 'uplot';
import { api } from './api.js';
import { h } from './dom.js';
import { toSample } from './series.js';

const TIP_WINDOW = '5m';

// The tooltip of a traffic edge: its label and the caller's RPS to that Service over the last minutes, from
// /debug/stat/history with the caller as source. Fetched on hover only, so an idle graph costs nothing.
export function edgeTips(cy, parent) {
  const tip = h('div', { class: 'edge-tip', id: 'edge-tip', hidden: true });
  parent.append(tip);
  let plot = null;
  // Hovers overtake each other; only the newest may fill the tooltip.
  let hover = 0;

  function hide() {
    hover += 1;
    plot?.destroy();
    plot = null;
    tip.hidden = true;
    tip.replaceChildren();
    delete tip.dataset.points;
  }

  async function show(event) {
    hide();
    const mine = hover;
    const edge = event.target;
    const source = cy.getElementById(edge.data('source'));
    const target = cy.getElementById(edge.data('target'));
    tip.replaceChildren(
      h('div', { class: 'edge-tip-title' }, `${source.data('name') || '(unknown)'} → ${target.data('name')}.${target.data('namespace')}`),
      h('div', null, edge.data('label')));
    const { clientX, clientY } = event.originalEvent ?? { clientX: 0, clientY: 0 };
    // Beside the pointer, kept inside the window (the tooltip is at most 280 px wide and about 160 px high).
    tip.style.left = `${Math.max(0, Math.min(clientX + 14, window.innerWidth - 300))}px`;
    tip.style.top = `${Math.max(0, Math.min(clientY + 14, window.innerHeight - 170))}px`;
    tip.hidden = false;
    if (!source.data('name')) {
      return;
    }
    const history = await api.statHistory(target.data('namespace'), target.data('name'),
      { window: TIP_WINDOW, source: `${source.data('namespace')}/${source.data('name')}` }).catch(() => null);
    if (mine !== hover || history === null) {
      return;
    }
    const samples = history.points.map(toSample);
    const known = samples.findIndex((s) => s.rps !== null);
    const shown = known < 0 ? [] : samples.slice(known);
    tip.append(h('div', { class: 'muted' }, `rps, the last ${TIP_WINDOW}`));
    plot = new uPlot({
      width: 240, height: 70,
      series: [{}, { stroke: '#3b6fb6', width: 1.5, spanGaps: false }],
      axes: [{ show: false }, { size: 36, font: '10px system-ui' }],
      scales: { x: { time: true } },
      legend: { show: false },
      cursor: { show: false },
    }, [shown.map((s) => s.t), shown.map((s) => s.rps)], tip);
    tip.dataset.points = String(shown.filter((s) => s.rps !== null).length);
  }

  cy.on('mouseover', 'edge[kind = "traffic"]', show);
  cy.on('mouseout', 'edge[kind = "traffic"]', hide);
  return { dispose: hide };
}
