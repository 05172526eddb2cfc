// Copy the pinned htmx / Alpine.js builds from node_modules into Django's
// static folder, with a license header on top (neither npm build ships one),
// and axe-core (accessibility checks of the browser tests, never served) into
// core/testing/vendor/ as it is (its build carries its MPL-2.0 header).
// Run with: npm run vendor   (from frontend/)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const frontend = join(here, '..');
const outDir = join(frontend, '..', 'src', 'machikoba', 'web', 'static', 'machikoba', 'js');

// Alpine's CSP build: it evaluates no expression with new Function, so the
// Content-Security-Policy needs no 'unsafe-eval' (components are Alpine.data(...)).
const MIT_ALPINE = `Alpine.js CSP build @VERSION@ (npm: @alpinejs/csp, dist/cdn.min.js) https://alpinejs.dev
MIT License

Copyright © 2019-2021 Caleb Porzio and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

// htmx ships its LICENSE (0BSD) in the npm package: its text is copied in.
const HTMX_0BSD = `htmx @VERSION@ (npm: htmx.org, dist/htmx.min.js) https://htmx.org
@LICENSE_FILE@`;

const testingDir = join(frontend, '..', 'src', 'machikoba', 'core', 'testing', 'vendor');

const vendored = [
  { pkg: 'htmx.org', file: 'dist/htmx.min.js', out: 'htmx.min.js', header: HTMX_0BSD },
  { pkg: '@alpinejs/csp', file: 'dist/cdn.min.js', out: 'alpine-csp.min.js', header: MIT_ALPINE },
  { pkg: 'axe-core', file: 'axe.min.js', out: 'axe.min.js', header: null, dir: testingDir },
];

for (const { pkg, file, out, header, dir = outDir } of vendored) {
  mkdirSync(dir, { recursive: true });
  const pkgDir = join(frontend, 'node_modules', pkg);
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const body = readFileSync(join(pkgDir, file), 'utf8');
  if (header === null) {
    writeFileSync(join(dir, out), body.replace(/\s*$/, '\n'));
    console.log(`vendored ${pkg}@${version} -> ${join(dir, out)}`);
    continue;
  }
  let text = header.replace('@VERSION@', version);
  if (text.includes('@LICENSE_FILE@')) {
    text = text.replace('@LICENSE_FILE@', readFileSync(join(pkgDir, 'LICENSE'), 'utf8').trim());
  }
  const comment = '/*!\n' + text.split('\n').map((l) => (l ? ' * ' + l : ' *')).join('\n') + '\n */\n';
  writeFileSync(join(dir, out), comment + body.replace(/\s*$/, '\n'));
  console.log(`vendored ${pkg}@${version} -> ${join('src/machikoba/web/static/machikoba/js', out)}`);
}
