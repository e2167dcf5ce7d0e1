import path from 'node:path';
import express, { type RequestHandler } from 'express';

/**
 * The sync console's folder, resolved from the package root: this file runs from src/http under
 * jest and from dist/http under node, both two levels below apps/api, where public/ lives.
 */
export const CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'public', 'console');

// The page loads only its own files and talks only to this API: nothing else may run in it.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the console's static files. They hold no data; every call the page makes carries the API key. */
export function consoleStatic(): RequestHandler {
  return express.static(CONSOLE_DIR, {
    index: 'index.html',
    setHeaders: (res) => {
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'no-cache');
    },
  });
}
