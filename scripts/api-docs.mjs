#!/usr/bin/env node
/**
 * The API reference, from the TSDoc comments of every public package (`packages/*` that are
 * not private), rendered by TypeDoc into docs/api/ (generated, not committed).
 *
 * Fails (exit 1) when an exported symbol, or a member of an exported class or interface, has
 * no doc comment, or when TypeDoc warns (a broken `{@link}`, a public type that refers to a
 * type the package does not export).
 *
 *   node scripts/api-docs.mjs                 render docs/api/ and check
 *   node scripts/api-docs.mjs --check         check only, render nothing
 *   node scripts/api-docs.mjs --out DIR --json FILE
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Application, PackageJsonReader, TSConfigReader, TypeDocReader } from 'typedoc';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    out: { type: 'string', default: join(root, 'docs', 'api') },
    json: { type: 'string' },
  },
});

/** Public package directories. */
function publicPackageDirs() {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true)
    .sort();
}

// TypeDoc's reflection kinds (ReflectionKind), as numbers in its JSON model.
const Kind = {
  Module: 2,
  Namespace: 4,
  Class: 128,
  Interface: 256,
  Constructor: 512,
  Property: 1024,
  Method: 2048,
  Accessor: 262144,
  Reference: 4194304,
};
const kindNames = {
  8: 'Enum',
  32: 'Variable',
  64: 'Function',
  128: 'Class',
  256: 'Interface',
  1024: 'Property',
  2048: 'Method',
  262144: 'Accessor',
  2097152: 'TypeAlias',
};

const hasText = (comment) => Boolean(comment?.summary?.some((part) => part.text.trim() !== ''));

/** Whether a reflection (or its signatures or accessors) carries a doc comment. */
function documented(reflection) {
  return (
    hasText(reflection.comment) ||
    (reflection.signatures ?? []).some((s) => hasText(s.comment)) ||
    hasText(reflection.getSignature?.comment) ||
    hasText(reflection.setSignature?.comment)
  );
}

/** The entry modules of a package: the package itself, or its sub-entry modules (`./node`). */
function entryModules(pkg) {
  const children = pkg.children ?? [];
  if (children.length > 0 && children.every((c) => c.kind === Kind.Module)) {
    return children.map((c) => ({ name: c.name ? `${pkg.name}/${c.name}` : pkg.name, module: c }));
  }
  return [{ name: pkg.name, module: pkg }];
}

/** Undocumented exported symbols, and undocumented members of exported classes and interfaces. */
function undocumented(projectJson) {
  const symbols = [];
  const members = [];
  let total = 0;
  const packages = projectJson.kind === Kind.Module ? [projectJson] : (projectJson.children ?? []);
  for (const pkg of packages) {
    for (const { name, module } of entryModules(pkg)) {
      for (const symbol of module.children ?? []) {
        if (symbol.kind === Kind.Reference) continue; // a re-export, documented where it is declared
        total += 1;
        if (!documented(symbol))
          symbols.push(`${name}: ${symbol.name} (${kindNames[symbol.kind] ?? symbol.kind})`);
        if (symbol.kind !== Kind.Class && symbol.kind !== Kind.Interface) continue;
        for (const member of symbol.children ?? []) {
          if (member.kind === Kind.Constructor || member.inheritedFrom || member.flags?.isExternal) continue;
          total += 1;
          if (!documented(member)) {
            members.push(`${name}: ${symbol.name}.${member.name} (${kindNames[member.kind] ?? member.kind})`);
          }
        }
      }
    }
  }
  return { symbols, members, total };
}

const entryPoints = publicPackageDirs();
const app = await Application.bootstrapWithPlugins(
  { options: join(root, 'typedoc.json'), entryPoints, out: resolve(values.out) },
  [new TypeDocReader(), new PackageJsonReader(), new TSConfigReader()],
);
const project = await app.convert();
if (!project) {
  console.error('api-docs: TypeDoc could not convert the packages');
  process.exit(1);
}
app.validate(project);
if (!values.check) {
  rmSync(resolve(values.out), { recursive: true, force: true });
  await app.generateDocs(project, resolve(values.out));
}
if (values.json) await app.generateJson(project, resolve(values.json));

const { symbols, members, total } = undocumented(app.serializer.projectToObject(project, root));
const warnings = app.logger.warningCount;
const errors = app.logger.errorCount;
for (const line of symbols) console.log(`undocumented symbol: ${line}`);
for (const line of members) console.log(`undocumented member: ${line}`);
console.log(
  `api-docs: ${entryPoints.length} packages, ${total} exported symbols and members, ` +
    `${symbols.length + members.length} undocumented, ${warnings} TypeDoc warnings, ${errors} errors` +
    (values.check ? '' : `; rendered into ${resolve(values.out)}`),
);
process.exit(symbols.length + members.length + warnings + errors > 0 ? 1 : 0);
