// Envoy's Lua HTTP filter, as far as the output's filters use it, run in Lua 5.1 (the dialect of
// Envoy's LuaJIT): a model, since there is no Envoy here. The part of Envoy's Lua API it gives the
// code (Envoy's Lua filter docs, 1.17+): `headers()` with `get` (the first value), `replace`,
// `add`, `remove` and iteration over every entry (`pairs`, whose `__pairs` Envoy's LuaJIT
// honours), and `streamInfo():dynamicMetadata()` `set`/`get`, shared by the request and its response.
import { runLua } from './util';

/** Header entries in order, pseudo-headers (`:path`, `:status`) included. */
export type Headers = Array<[string, string]>;

const HARNESS = [
  'local raw_pairs = pairs',
  'function pairs(t) local m = getmetatable(t); if m and m.__pairs then return m.__pairs(t) end; return raw_pairs(t) end',
  'local function header_map(entries)',
  '  local methods = {}',
  '  function methods:get(k) for _, e in ipairs(entries) do if e[1] == k then return e[2] end end return nil end',
  '  function methods:add(k, v) table.insert(entries, { k, v }) end',
  '  function methods:remove(k) local kept = {} for _, e in ipairs(entries) do if e[1] ~= k then table.insert(kept, e) end end for i = #entries, 1, -1 do entries[i] = nil end for i, e in ipairs(kept) do entries[i] = e end end',
  '  function methods:replace(k, v) self:remove(k) self:add(k, v) end',
  '  return setmetatable({}, { __index = methods, __pairs = function() local i = 0 return function() i = i + 1 local e = entries[i] if e then return e[1], e[2] end end end })',
  'end',
  'local meta = {}',
  'local dynamic = { set = function(_, f, k, v) meta[f] = meta[f] or {} meta[f][k] = v end, get = function(_, f) return meta[f] end }',
  'local info = { dynamicMetadata = function() return dynamic end }',
  'if envoy_on_request then envoy_on_request({ headers = function() return header_map(request) end, streamInfo = function() return info end }) end',
  'if envoy_on_response then envoy_on_response({ headers = function() return header_map(response) end, streamInfo = function() return info end }) end',
  'for _, e in ipairs(request) do io.write("request\\t", e[1], "\\t", e[2], "\\n") end',
  'for _, e in ipairs(response) do io.write("response\\t", e[1], "\\t", e[2], "\\n") end',
].join('\n');

/** One request and its response through the filter `code`: both header lists as the filter leaves them. */
export function runLuaFilter(lua: string, code: string, request: Headers, response: Headers): { request: Headers; response: Headers } {
  const table = (h: Headers) => `{ ${h.map(([k, v]) => `{ ${JSON.stringify(k)}, ${JSON.stringify(v)} }`).join(', ')} }`;
  const out = runLua(lua, `${code}\nlocal request, response = ${table(request)}, ${table(response)}\n${HARNESS}`).split('\n').filter(Boolean).map((l) => l.split('\t'));
  const part = (which: string): Headers => out.filter(([w]) => w === which).map(([, k, ...v]) => [k, v.join('\t')]);
  return { request: part('request'), response: part('response') };
}
