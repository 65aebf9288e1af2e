// Builds the front end into dist/ (committed and embedded by the Go server).
// The output depends only on the sources and the pinned package versions, so
// a rebuild gives the same bytes (server's TestWebAssetsReproducible).
import { build } from 'esbuild';

const out = process.env.OUTDIR || 'dist';

const common = { bundle: true, minify: true, legalComments: 'eof', logLevel: 'warning', charset: 'utf8' };
await build({ ...common, entryPoints: ['src/main.js'], outfile: out + '/app.js', format: 'esm', target: ['es2020'] });
await build({ ...common, entryPoints: ['src/app.css'], outfile: out + '/app.css' });
