// Reads an SQL constant out of the Rust source as the compiler would build it: a string literal
// with `\` line continuations, or `concat!(...)` of literals and argument-less `macro!()`s whose
// body is itself one of these (shared/src/finance/sql.rs builds CREDIT so). The JS baseline's SQL
// (bench/baseline-js/sql.mjs) is checked against it before any benchmark runs.

/** The literal starting at the `"` at `i`: [text, index after the closing quote]. */
function literal(text, i) {
  let out = '';
  for (i += 1; ; ) {
    const c = text[i];
    if (c === '"') return [out, i + 1];
    if (c === '\\') {
      const n = text[i + 1];
      if (n === '\n') { i += 2; while (/\s/.test(text[i])) i++; continue; }
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
}

/** The string expression at `i` (after whitespace): [text, index after it]. */
function expr(text, i) {
  while (/\s/.test(text[i])) i++;
  if (text[i] === '"') return literal(text, i);
  const m = /^([A-Za-z_][A-Za-z0-9_]*)!\s*\(/.exec(text.slice(i, i + 80));
  if (!m) throw new Error(`unreadable Rust string expression at ${text.slice(i, i + 40)}`);
  i += m[0].length;
  if (m[1] !== 'concat') {
    while (/\s/.test(text[i])) i++;
    if (text[i] !== ')') throw new Error(`macro ${m[1]}! with arguments`);
    return [macroBody(text, m[1]), i + 1];
  }
  let out = '';
  for (;;) {
    while (/[\s,]/.test(text[i])) i++;
    if (text[i] === ')') return [out, i + 1];
    const [part, next] = expr(text, i);
    out += part;
    i = next;
  }
}

function macroBody(text, name) {
  const at = text.indexOf(`macro_rules! ${name} {`);
  if (at < 0) throw new Error(`no macro ${name}`);
  const arm = text.indexOf('=>', at);
  const open = text.indexOf('{', arm);
  return expr(text, open + 1)[0];
}

/** The value of `pub const NAME: &str = ...;` in the Rust source `text`. */
export function rustConst(text, name) {
  const at = text.indexOf(`pub const ${name}: &str =`);
  if (at < 0) throw new Error(`no const ${name}`);
  return expr(text, at + `pub const ${name}: &str =`.length)[0];
}
