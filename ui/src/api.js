// The dashboard reads only the control plane's admin API, the same one meshctl uses.
async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
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
};
