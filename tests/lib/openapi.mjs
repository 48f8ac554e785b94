// docs/api/openapi.yaml as data, and the request-body schemas of its routes. The repository has
// no YAML library (and wants none), so this reads the subset the file is written in: block
// mappings and sequences, `|` block scalars, one-line flow collections, plain and quoted
// scalars. Anything else throws, so a construct the reader does not know cannot pass unnoticed.
import { readFileSync } from 'node:fs';

export const SPEC_TEXT = readFileSync(new URL('../../docs/api/openapi.yaml', import.meta.url), 'utf8');

function scalar(s) {
  s = s.trim();
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^-?\d+\.\d+$/.test(s)) return Number(s);
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new Error(`unterminated quote: ${s}`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) return JSON.parse(s);
  return s;
}

/** A one-line flow value: `{ a: b, c: [d, 'e'] }`, `[x, y]`, or a scalar. */
function flow(text) {
  let i = 0;
  const ws = () => { while (text[i] === ' ') i++; };
  function quoted() {
    const q = text[i];
    let j = i + 1;
    for (;;) {
      if (j >= text.length) throw new Error(`unterminated quote in ${text}`);
      if (text[j] === q) {
        if (q === "'" && text[j + 1] === "'") { j += 2; continue; }
        break;
      }
      if (q === '"' && text[j] === '\\') j++;
      j++;
    }
    const raw = text.slice(i, j + 1);
    i = j + 1;
    return scalar(raw);
  }
  function plain(stops) {
    const start = i;
    while (i < text.length && !stops.includes(text[i]) && !(text[i] === ':' && (text[i + 1] === ' ' || stops.includes(text[i + 1])))) i++;
    return scalar(text.slice(start, i));
  }
  function value(stops) {
    ws();
    if (text[i] === '{') return map();
    if (text[i] === '[') return seq();
    if (text[i] === "'" || text[i] === '"') return quoted();
    return plain(stops);
  }
  function map() {
    i++;
    const out = {};
    for (;;) {
      ws();
      if (text[i] === '}') { i++; return out; }
      const key = text[i] === "'" || text[i] === '"' ? quoted() : plain(',}');
      ws();
      if (text[i] === ':') { i++; out[key] = value(',}'); } else out[key] = null;
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return out; }
      throw new Error(`bad flow mapping at ${i}: ${text}`);
    }
  }
  function seq() {
    i++;
    const out = [];
    for (;;) {
      ws();
      if (text[i] === ']') { i++; return out; }
      out.push(value(',]'));
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return out; }
      throw new Error(`bad flow sequence at ${i}: ${text}`);
    }
  }
  const v = value('');
  ws();
  if (i !== text.length) throw new Error(`trailing text in ${text}`);
  return v;
}

export function parseYaml(text) {
  const lines = text.split('\n').map((raw) => ({ raw, indent: raw.search(/\S/), body: raw.trim() })).filter((l) => l.indent >= 0);
  let n = 0;
  const keyOf = (body) => {
    const m = /^('(?:[^']|'')*'|"[^"]*"|[^'"{[][^:]*?):(?: (.*))?$/.exec(body);
    return m ? [scalar(m[1]), m[2]] : null;
  };
  function block(indent) {
    const first = lines[n];
    if (first.body.startsWith('- ') || first.body === '-') return sequence(first.indent);
    return mapping(first.indent);
  }
  function valueAfter(rest, parentIndent) {
    if (rest === undefined || rest === '') {
      if (n < lines.length && lines[n].indent > parentIndent) return block(lines[n].indent);
      if (n < lines.length && lines[n].indent === parentIndent && lines[n].body.startsWith('- ')) return sequence(parentIndent);
      return null;
    }
    if (rest === '|' || rest === '>') {
      const parts = [];
      while (n < lines.length && lines[n].indent > parentIndent) parts.push(lines[n++].raw.trim());
      return parts.join(rest === '|' ? '\n' : ' ') + '\n';
    }
    return /^[{['"]/.test(rest) ? flow(rest) : scalar(rest);
  }
  function mapping(indent) {
    const out = {};
    while (n < lines.length && lines[n].indent === indent && !lines[n].body.startsWith('- ')) {
      const kv = keyOf(lines[n].body);
      if (!kv) throw new Error(`line ${n + 1}: not a mapping entry: ${lines[n].raw}`);
      n++;
      out[kv[0]] = valueAfter(kv[1], indent);
    }
    if (n < lines.length && lines[n].indent > indent) throw new Error(`line ${n + 1}: unexpected indentation`);
    return out;
  }
  function sequence(indent) {
    const out = [];
    while (n < lines.length && lines[n].indent === indent && lines[n].body.startsWith('-')) {
      const rest = lines[n].body.slice(1).trim();
      const kv = rest.startsWith('{') || rest.startsWith('[') ? null : keyOf(rest);
      if (kv) {
        // `- key: value` followed by more keys of the same item, indented past the dash.
        lines[n] = { raw: lines[n].raw, indent: indent + 2, body: rest };
        out.push(mapping(indent + 2));
      } else {
        n++;
        out.push(rest === '' ? block(lines[n].indent) : flow(rest));
      }
    }
    return out;
  }
  const doc = mapping(0);
  if (n !== lines.length) throw new Error(`line ${n + 1}: not read`);
  return doc;
}

export const SPEC = parseYaml(SPEC_TEXT);

/** Resolves `#/components/...` references (the file's own; others are left as they are). */
export function resolve(schema) {
  if (schema && typeof schema === 'object' && typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    return resolve(schema.$ref.slice(2).split('/').reduce((o, k) => o[k], SPEC));
  }
  return schema;
}

/** Every operation as { method, path, op }. */
export function operations() {
  const out = [];
  for (const [path, item] of Object.entries(SPEC.paths)) {
    for (const [method, op] of Object.entries(item)) out.push({ method: method.toUpperCase(), path, op });
  }
  return out;
}

/** The JSON request schema of an operation, if it takes a JSON body. */
export function jsonBody(op) {
  const content = op.requestBody?.content;
  return content?.['application/json'] ? resolve(content['application/json'].schema) : null;
}

const types = (s) => [].concat(s?.type ?? []);
export const isObject = (s) => types(s).includes('object') || (s?.properties && !s.type);
export const isString = (s) => types(s).includes('string');

/**
 * Every string of a body schema as { path, max }: `path` a list of property names and 0 for
 * an array's element, as the problem's pointer names it (`lines[0].quantity`).
 */
export function strings(schema, path = []) {
  const s = resolve(schema);
  if (!s || typeof s !== 'object') return [];
  const out = [];
  if (isString(s)) out.push({ path, max: s.maxLength, schema: s });
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...strings(v, [...path, k]));
  if (s.items) out.push(...strings(s.items, [...path, 0]));
  for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) {
    for (const found of strings(alt, path)) if (!out.some((o) => pointer(o.path) === pointer(found.path))) out.push(found);
  }
  return out;
}

/** Every object of a body schema as { path, schema }. */
export function objects(schema, path = []) {
  const s = resolve(schema);
  if (!s || typeof s !== 'object') return [];
  const out = [];
  if (isObject(s)) out.push({ path, schema: s });
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...objects(v, [...path, k]));
  if (s.items) out.push(...objects(s.items, [...path, 0]));
  for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])]) out.push(...objects(alt, path));
  return out;
}

/** `['lines', 0, 'quantity']` as the problem's field pointer `lines[0].quantity`. */
export function pointer(path) {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** A body holding `value` at `path` (objects and one-element arrays around it). */
export function bodyWith(path, value, into = {}) {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container = into ?? (typeof head === 'number' ? [] : {});
  container[head] = bodyWith(rest, value, container[head] ?? (rest.length ? (typeof rest[0] === 'number' ? [] : {}) : undefined));
  return container;
}
