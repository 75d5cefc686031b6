/**
 * Loads the contract a user's file exports, TypeScript or JavaScript, on Node 20 (which cannot
 * import .ts files by itself).
 *
 * Why esbuild: the repository builds with it already, it is one dependency without a runtime
 * hook, and bundling answers both halves of the problem: the contract file and the local files
 * it imports are compiled into one ES module, while packages (`zod`, `@sockkit/core`) stay
 * imports, resolved from the user's own node_modules. A loader hook (tsx, `module.register`)
 * would change how every later import in the process resolves; jiti would bring a second
 * TypeScript pipeline. The bundle is written beside the contract, so that its package imports
 * resolve exactly as the contract's do, and removed once imported.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Contract } from '@sockkit/core';
import { build, type Message } from 'esbuild';

/** True for what `defineContract` returns. */
export function isContract(value: unknown): value is Contract {
  return typeof value === 'object' && value !== null && (value as Contract)['~sockkit'] === 'contract/v1';
}

/**
 * The contract exported by `file`: the export named `exportName`, or else the only export
 * that is a contract (the default export first).
 */
export async function loadContract(file: string, exportName?: string): Promise<Contract> {
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`${file}: no such file`);
  const bundle = await build({
    entryPoints: [path],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).catch((error: { errors?: Message[] }) => {
    // esbuild's own message is "Build failed with 1 error" plus the first; say where, for all.
    const where = (m: Message) =>
      m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
    throw new Error((error.errors ?? []).map((m) => `${where(m)}${m.text}`).join('\n') || String(error));
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.sockkit.mjs`);
  await writeFile(temporary, code);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(temporary).href)) as Record<string, unknown>;
  } finally {
    await rm(temporary, { force: true });
  }
  return pickContract(exports, file, exportName);
}

/** Chooses the contract among a module's exports. */
export function pickContract(exports: Record<string, unknown>, file: string, exportName?: string): Contract {
  if (exportName !== undefined) {
    const value = exports[exportName];
    if (!isContract(value))
      throw new Error(`${file}: the export "${exportName}" is not a contract from defineContract`);
    return value;
  }
  if (isContract(exports.default)) return exports.default;
  const found = Object.entries(exports).filter(([, value]) => isContract(value));
  const only = found[0];
  if (only === undefined) throw new Error(`${file}: no export is a contract from defineContract`);
  if (found.length > 1) {
    const names = found.map(([name]) => name).join(', ');
    throw new Error(`${file}: several exports are contracts (${names}); choose one with --export <name>`);
  }
  return only[1] as Contract;
}
