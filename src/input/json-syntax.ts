/**
 * Strict JSON (RFC 8259) syntax check that says where the first error is. `JSON.parse` is the authority on what is
 * valid, but V8's messages only sometimes carry a position (`Unexpected token ']', "[1,]" is not valid JSON` has
 * none), and the `yaml` parser, which gives positions, accepts YAML's flow style: trailing commas, single quotes,
 * unquoted keys. So `.json` files are checked here first, and parsed by `yaml` only to locate keys. Pure.
 */

export interface JsonSyntaxError {
  /** Character offset of the offending character (the text length for an early end). */
  readonly offset: number;
  /** Lower-case, without a prefix: `trailing comma before }`. */
  readonly message: string;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Failure {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/**
 * The first syntax error of `text` as a JSON document, or undefined when it is valid JSON. Call it after
 * `JSON.parse` failed (it walks the text character by character; `JSON.parse` is much faster on valid input).
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new Failure(at, message);
  };
  const skipSpace = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) fail('comments are not allowed in JSON');
      else break;
    }
  };
  const describe = (at: number): string => {
    if (at >= text.length) return 'the end of the file';
    const c = text[at];
    if (c === "'") return "' (JSON strings use double quotes)";
    if (c === '"') return 'a string';
    return JSON.stringify(c);
  };

  const value = (): void => {
    skipSpace();
    if (i >= text.length) fail('unexpected end of the file (expected a value)');
    const c = text[i];
    if (c === '{') object();
    else if (c === '[') array();
    else if (c === '"') string();
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else fail(`expected a value, got ${describe(i)}`);
  };

  const object = (): void => {
    i++; // {
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (i >= text.length) fail('unexpected end of the file (expected a property name)');
      if (text[i] !== '"') fail(`expected a property name in double quotes, got ${describe(i)}`);
      string();
      skipSpace();
      if (text[i] !== ':') fail(`expected ":" after the property name, got ${describe(i)}`);
      i++;
      value();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      if (text[i] !== ',') fail(`expected "," or "}" after a property value, got ${describe(i)}`);
      const comma = i;
      i++;
      skipSpace();
      if (text[i] === '}') fail('trailing comma before "}" (JSON allows none)', comma);
    }
  };

  const array = (): void => {
    i++; // [
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      if (text[i] !== ',') fail(`expected "," or "]" after a list item, got ${describe(i)}`);
      const comma = i;
      i++;
      skipSpace();
      if (text[i] === ']') fail('trailing comma before "]" (JSON allows none)', comma);
    }
  };

  const string = (): void => {
    const open = i;
    i++; // "
    for (;;) {
      if (i >= text.length) fail('unterminated string', open);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character in a string (write it as an escape such as \\n or \\t)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`invalid escape \\${e ?? ''} in a string`);
      } else i++;
    }
  };

  const number = (): void => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    const end = m ? i + m[0].length : i;
    // `01`, `1.`, `-`, `1e`: the expression stops early and leaves a digit, `.` or exponent behind.
    if (!m || /^[0-9.eE+-]/.test(text[end] ?? '')) {
      const token = /^[-+0-9.eE]+/.exec(text.slice(i))?.[0] ?? text[i];
      fail(`invalid number ${token}`);
    }
    i = end;
  };

  try {
    skipSpace();
    if (i >= text.length) return { offset: 0, message: 'the file is empty (a JSON file holds one object)' };
    value();
    skipSpace();
    if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof Failure) return { offset: e.offset, message: e.message };
    if (e instanceof RangeError) return { offset: i, message: 'nested too deeply' };
    throw e;
  }
}
