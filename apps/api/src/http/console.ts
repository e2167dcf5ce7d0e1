import path from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

/**
 * The sync console's folder, resolved from the package root: this file runs from src/http under
 * jest and from dist/http under node, both two levels below apps/api, where public/ lives.
 */
export const CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'public', 'console');

/**
 * The chart library's files, served from the installed package (a dependency of this app, pinned
 * in the lockfile) rather than copied into the repo: an upgrade is a version bump. Only these
 * files, under /console/vendor/.
 */
const UPLOT_DIST = path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');
const VENDOR = new Map(['uPlot.esm.js', 'uPlot.min.css'].map((f) => [f, path.join(UPLOT_DIST, f)]));

// The page loads only its own files and talks only to this API: nothing else may run in it.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function lockDown(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
}

/** Serves the console's static files. They hold no data; every call the page makes carries the API key. */
export function consoleStatic(): RequestHandler {
  const router = express.Router();
  router.get('/vendor/:file', (req, res, next) => {
    const file = VENDOR.get(req.params.file);
    if (!file) return next();
    lockDown(res);
    // The path is ours, not the request's: under pnpm it runs through node_modules/.pnpm, a dot folder send() would refuse.
    res.sendFile(file, { dotfiles: 'allow' });
  });
  router.use(express.static(CONSOLE_DIR, { index: 'index.html', setHeaders: lockDown }));
  return router;
}
