// argo-server, built from argo-workflows' own Go module at the tag a preset runs (issue 23), for
// the request-path suite: github.com/argoproj/argo-workflows/v3 (or /v4) at the tag, with the UI
// files the build embeds, `go build ./cmd/argo` (test/support/go-bin.ts). Where the Go module proxy does not serve the preset's tag, the nearest
// older patch of the same line that it serves is used, and said.
//
// The UI bundle (webpack, ui/ at the tag) is not built here: argo-server's page is the tag's own
// HTML template as webpack writes it (3.1-3.4: ui/src/app/index.html, which holds `<base href="/">`;
// 3.5+: ui/src/index.html, where HtmlWebpackPlugin's `base` option adds `<base href="/">`, the
// default of ui/webpack.config.js), and each file the page names (the favicons) is a stand-in
// holding its own path. What the suite checks of the UI is argo-server's base href rewrite and
// that the page's files load under it, both argo-server's code: the embed (ui/embed.go) from 3.5,
// and before, the generated server/static/files.go (upstream generates it with
// bou.ke/staticfiles, which the Go module proxy does not serve; this file writes the same two
// functions, Hash and ServeHTTP, that server/static/static.go calls).
import * as fs from 'fs';
import * as path from 'path';
import { Platform } from '../../packages/library/lib';
import { goBinary } from './go-bin';

/** The presets the request-path suite runs (issue 23: Kubeflow 1.4, 1.8, 1.9, 1.11 and KFP 2.17, Argo 4.0). */
export const REQUEST_PATH_PRESETS: readonly Platform[] = [Platform.KUBEFLOW_1_4, Platform.KUBEFLOW_1_8, Platform.KUBEFLOW_1_9, Platform.KUBEFLOW_1_11, Platform.KUBEFLOW_1_11.withStandaloneKfp('2.17')];

/** The argo-server image tag a preset runs (`v3.7.18`). */
export const argoServerTag = (platform: Platform): string => platform.spec.argoWorkflows.image.split(':').pop()!;

/** One argo-server build: the tag the preset names and the tag built. */
export interface ArgoServerBuild { readonly bin: string; readonly wanted: string; readonly version: string }

/** The files of the page: its HTML (with `<base href="/">`) and a stand-in for each file it names. */
export function uiFiles(moduleDir: string): Map<string, string> {
  const old = path.join(moduleDir, 'ui', 'src', 'app', 'index.html');
  const template = fs.existsSync(old) ? fs.readFileSync(old, 'utf8') : fs.readFileSync(path.join(moduleDir, 'ui', 'src', 'index.html'), 'utf8');
  const html = /<base href=/.test(template) ? template : template.replace(/<head>/, '<head>\n    <base href="/">');
  const files = new Map([['index.html', html]]);
  for (const m of html.matchAll(/(?:href|src)="([^"/][^"]*)"/g)) files.set(m[1], `stand-in: ${m[1]}\n`);
  return files;
}

/** server/static/files.go for the tags before the embed: the files as Go byte strings, served as staticfiles' output serves them. */
function filesGo(files: Map<string, string>): string {
  const entries = [...files].map(([name, text]) => `\t${JSON.stringify(name)}: []byte(${JSON.stringify(text)}),`).join('\n');
  return `// Written by cdk8s-kubeflow-argo's test/support/argo-server-bin.ts in place of bou.ke/staticfiles' output.
package static

import (
\t"crypto/sha256"
\t"encoding/hex"
\t"mime"
\t"net/http"
\t"path"
\t"strings"
)

var files = map[string][]byte{
${entries}
}

// Hash is the file's content hash, or "" when there is no such file.
func Hash(name string) string {
\tb, ok := files[name]
\tif !ok {
\t\treturn ""
\t}
\th := sha256.Sum256(b)
\treturn hex.EncodeToString(h[:8])
}

// ServeHTTP serves the file the path names with one Write and no status written first, as
// staticfiles' output does: server/static/response-rewriter.go sets Content-Length in that Write.
func ServeHTTP(w http.ResponseWriter, r *http.Request) {
\tname := strings.TrimPrefix(r.URL.Path, "/")
\tb, ok := files[name]
\tif !ok {
\t\thttp.NotFound(w, r)
\t\treturn
\t}
\tw.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
\t_, _ = w.Write(b)
}
`;
}

/**
 * argo-server of the preset's image tag (`v3.7.18`), or of the nearest older patch of its line
 * that the Go module proxy serves; or why none can be had (tests then skip; under CI=true they fail).
 */
export function argoServerBinary(wanted: string): ArgoServerBuild | { skipped: string } {
  const [, major, minor, patch] = /^v(\d+)\.(\d+)\.(\d+)$/.exec(wanted)!.map(Number);
  const versions = Array.from({ length: patch + 1 }, (_, i) => `v${major}.${minor}.${patch - i}`);
  const built = goBinary({ name: 'argo-server', module: `github.com/argoproj/argo-workflows/v${major}`, pkg: './cmd/argo', files: uiBuildFiles }, versions);
  return 'skipped' in built ? built : { ...built, wanted };
}

/** What the build adds to the module: the page's files in the embed directory (3.5+), or server/static/files.go (before). */
function uiBuildFiles(moduleDir: string): Map<string, string> {
  const files = uiFiles(moduleDir);
  if (fs.existsSync(path.join(moduleDir, 'ui', 'embed.go'))) return new Map([...files].map(([name, text]) => [path.join('ui', 'dist', 'app', name), text]));
  return new Map([[path.join('server', 'static', 'files.go'), filesGo(files)]]);
}
