/**
 * `trace-health.yaml` text → validated `PolicyDocument`. Pure: no file system, no catalog. Every problem in the file
 * is reported at once, each as `file:line:col: key.path: <bad value> is not <what would be valid>`.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseAllDocuments, visit } from 'yaml';
import { UserErrors } from '../errors';
import {
  didYouMean,
  formatProblems,
  NodePositions,
  PathSegment,
  pathString,
  PolicyDocument,
  Problem,
  show,
} from './document';
import { BACKEND_FIELDS, BACKEND_TYPES, BackendType, PolicyFile, PolicyFileSchema } from './schema';
import { displayValue } from './routing';
import { checkScope } from './scope';
import { normalizeTier } from './tiers';
import { TOO_DEEP, yamlNestingOffset } from '../input/depth';
import { lowerFirst, yamlSyntaxProblems } from '../input/yaml-errors';

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strictTypes: false });
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    compiled = ajv.compile(PolicyFileSchema);
  }
  return compiled;
}

export function parsePolicy(file: string, text: string): PolicyDocument {
  const { data, positions } = readYaml(file, text);
  const problems: Problem[] = [];
  if (data === null || data === undefined) {
    problems.push({ path: [], message: 'the file is empty; it needs at least `catalog: <folder or snapshot.json>`' });
  } else {
    problems.push(...schemaProblems(data));
    if (typeof data === 'object' && !Array.isArray(data)) problems.push(...semanticProblems(data as PolicyFile));
  }
  if (problems.length) throw new UserErrors(formatProblems(file, positions, problems));
  return { file, data: data as PolicyFile, positions };
}

/** One YAML document → plain data plus the position of every key and value; YAML problems throw, located. */
function readYaml(file: string, text: string): { data: unknown; positions: Map<string, NodePositions> } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax: string[] = [];
  const docList = Array.isArray(docs) ? docs : [];
  const pos = (offset: number) => lineCounter.linePos(offset);
  for (const doc of docList)
    for (const p of yamlSyntaxProblems(doc, pos)) syntax.push(`${file}:${p.line}:${p.col}: ${p.message}`);
  if (syntax.length) throw new UserErrors(syntax);
  if (docList.length > 1) {
    const { line, col } = lineCounter.linePos(docList[1].range[0]);
    throw new UserErrors([`${file}:${line}:${col}: a second YAML document; the policy is one document`]);
  }
  const doc = docList[0];
  const deep = yamlNestingOffset(doc?.contents as Node | null | undefined);
  if (deep !== undefined) {
    const { line, col } = lineCounter.linePos(deep);
    throw new UserErrors([`${file}:${line}:${col}: invalid YAML: ${TOO_DEEP}`]);
  }
  const positions = new Map<string, NodePositions>();
  if (doc?.contents) collectPositions(doc.contents as Node, [], undefined, positions, lineCounter);
  // The parser accepts aliases to anchors that do not exist (or come later); converting them would throw.
  const aliases: string[] = [];
  if (doc)
    visit(doc, {
      Alias(_, alias) {
        if (alias.resolve(doc) !== undefined) return;
        const { line, col } = lineCounter.linePos(alias.range?.[0] ?? 0);
        aliases.push(`${file}:${line}:${col}: alias *${alias.source} has no anchor &${alias.source} before it`);
      },
    });
  if (aliases.length) throw new UserErrors(aliases);
  let data: unknown = null;
  try {
    if (doc?.contents) data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new UserErrors([`${file}:1:1: invalid YAML: ${lowerFirst(e instanceof Error ? e.message : String(e))}`]);
  }
  return { data, positions };
}

function collectPositions(
  node: Node | null,
  path: PathSegment[],
  keyPos: NodePositions['key'],
  out: Map<string, NodePositions>,
  lc: LineCounter,
): void {
  // An empty value (`minSpans:`) has an empty range at the end of the line: point at its key instead.
  const empty = !node?.range || (node.range[0] === node.range[1] && keyPos !== undefined);
  const start = node?.range && !empty ? lc.linePos(node.range[0]) : undefined;
  const value = start ?? keyPos ?? { line: 1, col: 1 };
  out.set(pathString(path), keyPos ? { key: keyPos, value } : { value });
  if (!node || isAlias(node)) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as Node | null;
      const name = isScalar(k) ? String(k.value) : String(k);
      const kp = k?.range ? lc.linePos(k.range[0]) : value;
      collectPositions(pair.value as Node | null, [...path, name], kp, out, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectPositions(item as Node | null, [...path, i], undefined, out, lc));
  }
}

/** JSON pointer (`/defaults/requiredTags/0`) → path segments, numbers for list indices. */
function pointerSegments(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function expectedText(e: ErrorObject): string {
  const custom = (e.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;
  if (custom) return custom.replace(/^expected /, '');
  if (e.keyword === 'type') return TYPE_NAMES[String(e.params.type)] ?? `of type ${String(e.params.type)}`;
  if (e.keyword === 'minLength') return 'a non-empty string';
  return e.message ?? 'valid';
}

function schemaProblems(data: unknown): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  const problems: Problem[] = [];
  const valueErrorAt = new Set<string>();
  for (const e of validate.errors ?? []) {
    const path = pointerSegments(e.instancePath, data);
    switch (e.keyword) {
      case 'if':
        break; // the `then` branch reports what is missing
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        const hint = didYouMean(key, known) || ` (valid keys: ${known.join(', ')})`;
        problems.push({ path: [...path, key], at: 'key', message: `unknown key ${JSON.stringify(key)}${hint}` });
        break;
      }
      case 'required': {
        const missing = String(e.params.missingProperty);
        const type = (e.data as { type?: unknown } | null)?.type;
        const forType = path.join('.') === 'stacks.backend' && typeof type === 'string' ? ` for type ${type}` : '';
        problems.push({ path, at: 'key', message: `missing required key ${JSON.stringify(missing)}${forType}` });
        break;
      }
      case 'uniqueItems': {
        const i = Number(e.params.i);
        const j = Number(e.params.j);
        const [later, earlier] = i > j ? [i, j] : [j, i];
        const item = (e.data as unknown[])[later];
        problems.push({ path: [...path, later], message: `${show(item)} is listed twice (also at [${earlier}])` });
        break;
      }
      default: {
        const key = pathString(path);
        if (valueErrorAt.has(key)) break;
        valueErrorAt.add(key);
        let message = `${show(e.data)} is not ${expectedText(e)}`;
        if (e.keyword === 'enum' && typeof e.data === 'string')
          message += didYouMean(e.data, (e.params.allowedValues as string[]) ?? []);
        problems.push({ path, message });
      }
    }
  }
  return problems;
}

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Rules JSON Schema cannot say (orders between values, uniqueness by two keys, scope syntax, tier aliases). */
function semanticProblems(data: PolicyFile): Problem[] {
  const problems: Problem[] = [];
  const layers: [PathSegment[], unknown][] = [[['defaults'], data.defaults]];
  for (const section of ['tiers', 'teams', 'services'] as const) {
    const map: unknown = data[section];
    if (isObject(map)) for (const [name, l] of Object.entries(map)) layers.push([[section, name], l]);
  }
  for (const [path, l] of layers) if (isObject(l)) problems.push(...layerProblems(path, l));

  if (isObject(data.tiers)) problems.push(...tierNameProblems(data.tiers));
  if (isObject(data.integrations)) problems.push(...integrationKeyProblems(data.integrations));

  const backend: unknown = isObject(data.stacks) ? data.stacks.backend : undefined;
  if (isObject(backend) && typeof backend.type === 'string' && BACKEND_TYPES.includes(backend.type as BackendType)) {
    const fields = BACKEND_FIELDS[backend.type as BackendType];
    const allowed = new Set(['type', ...fields.required, ...fields.optional]);
    for (const key of Object.keys(backend)) {
      if (allowed.has(key)) continue;
      problems.push({
        path: ['stacks', 'backend', key],
        at: 'key',
        message: `${JSON.stringify(key)} is not used by a ${backend.type} backend (valid keys: ${[...allowed].join(', ')})`,
      });
    }
  }
  return problems;
}

/** Tier keys and aliases: each spelling names one tier ("1" and "tier-1" are the same). */
function tierNameProblems(tiers: Loose): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const key of Object.keys(tiers)) {
    const norm = normalizeTier(key);
    const first = seen.get(norm);
    if (first !== undefined)
      problems.push({
        path: ['tiers', key],
        at: 'key',
        message: `${JSON.stringify(key)} is the same tier as ${JSON.stringify(first)}; merge the two`,
      });
    else seen.set(norm, key);
  }
  for (const [key, rule] of Object.entries(tiers)) {
    const aliases = isObject(rule) && Array.isArray(rule.aliases) ? rule.aliases : [];
    aliases.forEach((alias: unknown, i) => {
      if (typeof alias !== 'string') return;
      const owner = seen.get(normalizeTier(alias));
      if (owner === key)
        problems.push({
          path: ['tiers', key, 'aliases', i],
          message: `${JSON.stringify(alias)} is this tier itself ("tier-1", "Tier 1" and "1" are one tier already)`,
        });
      else if (owner !== undefined)
        problems.push({
          path: ['tiers', key, 'aliases', i],
          message: `${JSON.stringify(alias)} is already the tier ${JSON.stringify(owner)} (a key or an alias of it)`,
        });
      else seen.set(normalizeTier(alias), key);
    });
  }
  return problems;
}

/**
 * `integrations` keys are committed in the policy: one that holds a secret (a webhook's token, a key) is refused,
 * and webhook prefixes must be URLs.
 */
function integrationKeyProblems(integrations: Loose): Problem[] {
  const problems: Problem[] = [];
  for (const [section, map] of Object.entries(integrations)) {
    if (!isObject(map)) continue;
    for (const key of Object.keys(map)) {
      const path = ['integrations', section, key];
      if (section === 'webhooks' && !/^https?:\/\/[^/\s]+/i.test(key.trim())) {
        problems.push({
          path,
          at: 'key',
          message: `${JSON.stringify(key)} is not a URL prefix such as https://hooks.slack.com/services/T0001/B0001`,
        });
        continue;
      }
      const shown = displayValue(key);
      if (shown !== key.trim().replace(/\/+$/, ''))
        problems.push({
          path,
          shownPath: ['integrations', section, shown],
          at: 'key',
          message:
            'this key holds what looks like a secret (a webhook token, a key or a query string), and the policy ' +
            `is committed: write it without that part, as ${JSON.stringify(shown.replace(/\/…(\/…)*$|\?…$/, ''))}`,
        });
    }
  }
  return problems;
}

function layerProblems(path: PathSegment[], l: Loose): Problem[] {
  const problems: Problem[] = [];
  const pair = (key: string): [unknown, unknown] =>
    isObject(l[key]) ? [(l[key] as Loose).warning, (l[key] as Loose).critical] : [undefined, undefined];

  const [ow, oc] = pair('orphanRate');
  if (num(ow) && num(oc) && !(ow < oc))
    problems.push({
      path: [...path, 'orphanRate', 'warning'],
      message: `${ow} is not below critical ${oc} (the orphan rate must stay low: warning < critical)`,
    });
  const [cw, cc] = pair('tagCoverage');
  if (num(cw) && num(cc) && !(cw > cc))
    problems.push({
      path: [...path, 'tagCoverage', 'warning'],
      message: `${cw} is not above critical ${cc} (tag coverage must stay high: warning > critical)`,
    });
  const slo = isObject(l.slo) ? l.slo : {};
  if (num(slo.warning) && num(slo.target) && !(slo.warning > slo.target))
    problems.push({
      path: [...path, 'slo', 'warning'],
      message: `${slo.warning} is not above target ${slo.target} (the warning must be stricter than the target)`,
    });

  const notify: unknown = l.notify;
  if (Array.isArray(notify)) {
    const seen = new Map<string, number>();
    notify.forEach((entry: unknown, i) => {
      const handle = typeof entry === 'string' ? entry : isObject(entry) ? entry.handle : undefined;
      if (typeof handle !== 'string') return;
      const first = seen.get(handle);
      // Two plain strings are reported by the schema's uniqueItems already.
      if (first !== undefined && !(typeof entry === 'string' && typeof notify[first] === 'string'))
        problems.push({
          path: [...path, 'notify', i],
          message: `${show(handle)} is listed twice (also at [${first}])`,
        });
      else if (first === undefined) seen.set(handle, i);
    });
  }

  for (const listKey of ['requiredTags', 'extraRequiredTags']) {
    const list = l[listKey];
    if (!Array.isArray(list)) continue;
    const seen = new Map<string, number>();
    list.forEach((rule: unknown, i) => {
      if (!isObject(rule) || typeof rule.tag !== 'string') return;
      const scope = typeof rule.scope === 'string' ? rule.scope : '*';
      if (typeof rule.scope === 'string') {
        const err = checkScope(rule.scope);
        if (err) problems.push({ path: [...path, listKey, i, 'scope'], message: `${show(rule.scope)} ${err}` });
      }
      const id = `${rule.tag}\u0000${scope}`;
      const first = seen.get(id);
      if (first !== undefined)
        problems.push({
          path: [...path, listKey, i],
          message: `tag ${JSON.stringify(rule.tag)} with scope ${JSON.stringify(scope)} is listed twice (also at [${first}])`,
        });
      else seen.set(id, i);
    });
  }
  return problems;
}
