/**
 * The `sockkit` bin, run as a user runs it (the executable npm linked into node_modules/.bin,
 * as `npx sockkit` finds it) on a TypeScript contract that imports a local .ts module: the
 * YAML it prints is the document toAsyncAPI gives and passes @asyncapi/parser.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toAsyncAPI } from '../src/index.js';
import { contract } from './fixtures/project/src/contract.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/sockkit', import.meta.url));
const project = fileURLToPath(new URL('./fixtures/project/', import.meta.url));

async function sockkit(...args: string[]) {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd: project });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('sockkit asyncapi', () => {
  it('prints the YAML document of a .ts contract, titled from the nearest package.json', async () => {
    const { code, stdout, stderr } = await sockkit('asyncapi', './src/contract.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = parse(stdout);
    expect(printed).toEqual(
      JSON.parse(JSON.stringify(toAsyncAPI(contract, { title: 'fixture-app', version: '2.3.4' }))),
    );
    const { diagnostics } = await new Parser().parse(stdout);
    expect(diagnostics.filter((d) => d.severity <= 1)).toEqual([]);
    // The compiled bundle it imported is gone.
    expect(readdirSync(`${project}src`).filter((name) => name.endsWith('.mjs'))).toEqual([]);
  });

  it('takes --format json, --title, --version and --url', async () => {
    const { code, stdout } = await sockkit(
      'asyncapi',
      'src/contract.ts',
      '--format',
      'json',
      '--title',
      'Notes',
      '--version',
      '9.0.0',
      '--url',
      'wss://notes.example/ws',
    );
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.info).toMatchObject({ title: 'Notes', version: '9.0.0' });
    expect(doc.servers).toEqual({ default: { host: 'notes.example', protocol: 'wss', pathname: '/ws' } });
    expect(doc.channels.connection.address).toBe('/ws');
  });

  it('asks for --export when a file exports several contracts, and takes it', async () => {
    const several = await sockkit('asyncapi', 'src/two.ts');
    expect(several.code).toBe(1);
    expect(several.stderr).toContain('several exports are contracts (a, b); choose one with --export <name>');
    const chosen = await sockkit('asyncapi', 'src/two.ts', '--export', 'b', '--format', 'json');
    expect(chosen.code).toBe(0);
    expect(Object.keys(JSON.parse(chosen.stdout).operations)).toContain('server.two');
  });

  it('fails with a message and a non-zero code on a file without a contract, a missing file, bad usage', async () => {
    const none = await sockkit('asyncapi', 'src/none.ts');
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toContain('no export is a contract');
    const missing = await sockkit('asyncapi', 'src/absent.ts');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('sockkit asyncapi: src/absent.ts: no such file\n');
    const broken = await sockkit('asyncapi', 'src/broken.ts');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('src/broken.ts:1:21: Could not resolve "./missing.js"');
    expect((await sockkit('asyncapi')).code).toBe(2);
    expect((await sockkit('openapi', 'x.ts')).stderr).toContain('unknown command: openapi');
    expect((await sockkit('asyncapi', 'src/contract.ts', '--format', 'xml')).code).toBe(2);
  });
});
