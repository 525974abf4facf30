// The dashboard reads only the control plane's admin API, the same one meshctl uses.
// missingIsNull: for resources that may not exist, null on 404 instead of an error.
async function getJson(path, missingIsNull = false) {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (missingIsNull && response.status === 404) {
    return null;
  }
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

export const api = {
  services: () => getJson('/debug/services'),
  policies: () => getJson('/debug/policies'),
  proxies: () => getJson('/debug/proxies'),
  edges: (window) => getJson(`/debug/edges?window=${encodeURIComponent(window)}`),
  stat: (namespace, service, window) =>
    getJson(`/debug/stat?namespace=${encodeURIComponent(namespace)}&service=${encodeURIComponent(service)}&window=${encodeURIComponent(window)}`),
  // Without a step the control plane picks one (two scrape intervals, or window/60); with a source ("ns/workload")
  // the series is that caller's edge only.
  statHistory: (namespace, service, { window, step, source } = {}) => {
    const query = new URLSearchParams({ namespace, service });
    for (const [name, value] of Object.entries({ window, step, source })) {
      if (value) {
        query.set(name, value);
      }
    }
    return getJson(`/debug/stat/history?${query}`, true);
  },
};
