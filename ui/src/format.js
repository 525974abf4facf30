export function percent(value) {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(value >= 0.9995 ? 0 : 1)}%`;
}

export function rps(value) {
  return value === null || value === undefined ? '–' : value >= 10 ? value.toFixed(0) : value.toFixed(2);
}

export function ms(value) {
  return value === null || value === undefined ? '–' : value >= 10 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

// Linkerd-like thresholds: below 95 % is failing, below 99 % is degraded.
export function health(successRate) {
  if (successRate === null || successRate === undefined) {
    return 'idle';
  }
  return successRate >= 0.99 ? 'good' : successRate >= 0.95 ? 'warn' : 'bad';
}

export const healthColour = { good: '#2e9d57', warn: '#d99a1e', bad: '#d23c3c', idle: '#9aa3ad' };

export function mtls(share) {
  if (share === null || share === undefined) {
    return '–';
  }
  return share >= 0.9995 ? 'mTLS' : share <= 0.0005 ? 'plaintext' : `mTLS ${percent(share)}`;
}
