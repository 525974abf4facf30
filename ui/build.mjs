// Bundles the dashboard into the control plane's static files: one js, one css, one html.
// Deterministic on purpose (no timestamps, no source maps) so CI can rebuild and compare bytes.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
// An explicit folder is for scripts/build-ui.sh --check, which compares a fresh build with the committed one.
const outdir = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.resolve(here, '..', 'src', 'MeshNet.ControlPlane', 'wwwroot', 'ui');

await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { app: path.join(here, 'src', 'main.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir,
  legalComments: 'eof',
  logLevel: 'warning',
});
await copyFile(path.join(here, 'src', 'index.html'), path.join(outdir, 'index.html'));
