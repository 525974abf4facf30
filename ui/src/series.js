import { api } from './api.js';

// How far back a service page's charts reach when it opens: the control plane keeps 15 minutes of scrapes.
export const HISTORY_SECONDS = 5 * 60;

export function toSample(point) {
  return {
    t: Date.parse(point.time) / 1000,
    rps: point.rps,
    success: point.successRate,
    p50: point.latencyMs.p50,
    p95: point.latencyMs.p95,
    p99: point.latencyMs.p99,
  };
}

// A Service's golden metrics step by step: the first load fills the last HISTORY_SECONDS from
// /debug/stat/history, later loads ask only for what happened since and append it. The control plane aligns
// steps to multiples of the step and answers only steps that are over, so the same step always has the same time:
// appending the points after the last one held leaves no duplicate at the seam, and asking for the time since the
// last load plus two steps leaves no gap (the newest step answered may end up to one step before "now").
export function goldenSeries(namespace, name) {
  let samples = [];
  let stepMs = null;
  // performance.now() when the last load that succeeded was sent: a monotonic clock, so neither the browser's nor
  // the control plane's wall clock has to agree with the other.
  let loadedAt = null;

  async function load() {
    const sentAt = performance.now();
    const windowMs = stepMs === null
      ? HISTORY_SECONDS * 1000
      : Math.min(HISTORY_SECONDS * 1000, Math.ceil(sentAt - loadedAt + (2 * stepMs)));
    const history = await api.statHistory(namespace, name, { window: `${windowMs}ms`, step: stepMs === null ? null : `${stepMs}ms` });
    if (history === null) {
      // No such Service (yet): the next load asks for the whole history again.
      samples = [];
      stepMs = null;
      return { samples, first: true };
    }
    const first = stepMs === null;
    stepMs = Math.round(history.stepSeconds * 1000);
    loadedAt = Math.max(loadedAt ?? sentAt, sentAt);
    const last = samples.at(-1)?.t ?? -Infinity;
    samples = samples.concat(history.points.map(toSample).filter((s) => s.t > last));
    const oldest = (samples.at(-1)?.t ?? 0) - HISTORY_SECONDS;
    samples = samples.filter((s) => s.t > oldest);
    // Steps from before the control plane scraped anything (it started later) would only squeeze the charts to the
    // right; a step without data later on stays, as a gap.
    const known = samples.findIndex((s) => s.rps !== null);
    samples = known < 0 ? [] : samples.slice(known);
    return { samples, first };
  }

  return { load, stepSeconds: () => (stepMs === null ? null : stepMs / 1000) };
}
