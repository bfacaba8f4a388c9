// A browser-like HTTP client for the request-path suite (issue 23): a cookie jar (tough-cookie,
// as browsers keep cookies: path, expiry, deletion), redirects followed as browsers follow them
// (303, and 301/302 after a POST, become GET), and HTML forms submitted with their hidden fields.
// Each step is recorded, so a failing case prints the whole trail. `request` is the one plain
// HTTP call the request-path helpers and tests make.
import * as http from 'http';
import { CookieJar } from 'tough-cookie';

/** A response as the suite reads it. */
export interface Answer { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string }

/** One HTTP request to `host:port` (loopback by default), its body sent as given; rejects when the connection fails. */
export function request(port: number, method: string, url: string, headers: http.OutgoingHttpHeaders = {}, body?: string, host = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: url, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One response as the suite reads it. */
export interface Page { readonly url: string; readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string }

/** A form of a page: where it goes, how, and its fields with their values. */
export interface Form { readonly action: string; readonly method: string; readonly fields: Record<string, string> }

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)?.slice(1).find((v) => v !== undefined);
const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The forms of an HTML page (their `input` fields with a name). */
export function forms(page: Page): Form[] {
  return [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, open, inner]) => ({
    action: unescape(attr(open, 'action') ?? page.url),
    method: (attr(open, 'method') ?? 'GET').toUpperCase(),
    fields: Object.fromEntries([...inner.matchAll(/<(?:input|button)\b[^>]*>/gi)].map(([tag]) => [attr(tag, 'name'), unescape(attr(tag, 'value') ?? '')]).filter(([n]) => n)),
  }));
}

export class Browser {
  /** Every request and its status, in order: what a failing case prints. */
  public readonly trail: string[] = [];
  private readonly jar = new CookieJar();

  constructor(private readonly port: number, private readonly origin = 'https://kubeflow.test') {}

  /** GET `url`, following redirects. */
  public get(url: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.navigate('GET', url, undefined, headers);
  }

  /** Submits `form` with `values` over its fields, following redirects. */
  public submit(page: Page, form: Form, values: Record<string, string> = {}): Promise<Page> {
    const data = new URLSearchParams({ ...form.fields, ...values }).toString();
    const action = new URL(form.action, this.origin + page.url);
    if (form.method === 'GET') return this.get(`${action.pathname}?${data}`);
    return this.navigate('POST', action.pathname + action.search, data, { 'content-type': 'application/x-www-form-urlencoded' });
  }

  /** One request, its redirect not followed. */
  public once(method: string, url: string): Promise<Page> {
    return this.send(method, url, undefined, {});
  }

  /** Sends a JSON request (an API call of a page's script), following redirects. */
  public api(method: string, url: string, json?: unknown, headers: Record<string, string> = {}): Promise<Page> {
    return this.navigate(method, url, json === undefined ? undefined : JSON.stringify(json), { ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) });
  }

  /** Sets a cookie as a page's script would (`document.cookie`). */
  public setCookie(cookie: string, path: string): void {
    this.jar.setCookieSync(cookie, this.origin + path);
  }

  /** The cookies the jar sends to `path`. */
  public cookies(path: string): string {
    return this.jar.getCookieStringSync(this.origin + path);
  }

  private async navigate(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    for (let hops = 0; hops < 20; hops++) {
      const page = await this.send(method, url, body, headers);
      const location = page.headers.location;
      if (![301, 302, 303, 307, 308].includes(page.status) || !location) return page;
      const next = new URL(location, this.origin + url);
      if (next.origin !== this.origin) return page; // a redirect out of the site is the caller's to judge
      url = next.pathname + next.search;
      if (page.status === 303 || ((page.status === 301 || page.status === 302) && method === 'POST')) { method = 'GET'; body = undefined; headers = {}; }
    }
    throw new Error(`more than 20 redirects:\n${this.trail.join('\n')}`);
  }

  private async send(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const cookie = this.jar.getCookieStringSync(this.origin + url);
    const res = await request(this.port, method, url, { host: new URL(this.origin).host, ...(cookie ? { cookie } : {}), ...headers }, body);
    for (const c of res.headers['set-cookie'] ?? []) this.jar.setCookieSync(c, this.origin + url, { ignoreError: true });
    this.trail.push(`${method} ${url} -> ${res.status}${res.headers.location ? ` ${res.headers.location}` : ''}`);
    return { url, ...res };
  }
}
