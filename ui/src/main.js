import './style.css';
import { graphView } from './graph.js';
import { proxiesView } from './proxies.js';
import { serviceView } from './service.js';

const REFRESH_MS = 3000;

// Tests read the live graph from here (window.meshnetDashboard.cy) instead of scraping canvas pixels.
window.meshnetDashboard = { cy: null, page: null, refreshes: 0, lastError: null };

const view = document.getElementById('view');
const status = document.getElementById('status');
let current = null;
let timer = null;

function navigate(hash) {
  window.location.hash = hash;
}

function route() {
  const parts = (window.location.hash || '#/graph').slice(2).split('/').map(decodeURIComponent);
  if (parts[0] === 'service' && parts.length >= 3) {
    return { page: 'service', create: () => serviceView(view, parts[1], parts[2]) };
  }
  if (parts[0] === 'proxies') {
    return { page: 'proxies', create: () => proxiesView(view) };
  }
  return { page: 'graph', create: () => graphView(view, navigate) };
}

async function tick() {
  const page = current;
  try {
    await page.refresh();
    if (page === current) {
      window.meshnetDashboard.refreshes += 1;
      window.meshnetDashboard.lastError = null;
      status.textContent = `updated ${new Date().toLocaleTimeString()}`;
      status.className = 'status';
    }
  } catch (error) {
    window.meshnetDashboard.lastError = String(error);
    status.textContent = `cannot reach the control plane (${error.message})`;
    status.className = 'status error';
  }
}

function show() {
  clearInterval(timer);
  current?.dispose();
  view.replaceChildren();
  const next = route();
  window.meshnetDashboard.page = next.page;
  window.meshnetDashboard.cy = null;
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.classList.toggle('active', link.dataset.nav === next.page);
  }
  current = next.create();
  tick();
  timer = setInterval(tick, REFRESH_MS);
}

window.addEventListener('hashchange', show);
show();
