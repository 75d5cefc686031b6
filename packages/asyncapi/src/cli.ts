/**
 * The `sockkit` command. One subcommand so far:
 *
 *   sockkit asyncapi <contract file> [--export name] [--title t] [--version v]
 *                    [--description d] [--url wss://…] [--format yaml|json] [--out file]
 *
 * prints the AsyncAPI 3.0 document of the contract the file exports. Title and version
 * default to the name and version of the package.json nearest to the contract file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { type AsyncAPIInfo, toAsyncAPI } from './document.js';
import { loadContract } from './load-contract.js';

const USAGE = `usage: sockkit asyncapi <contract.ts|js> [options]

Prints the AsyncAPI 3.0 document of a sockkit contract.

options:
  --export <name>        the export holding the contract (default: the only one)
  --title <text>         info.title (default: the nearest package.json's name)
  --version <text>       info.version (default: the nearest package.json's version)
  --description <text>   info.description
  --url <wss://…>        the server's WebSocket URL (adds servers.default)
  --format yaml|json     output format (default: yaml)
  --out <file>           write to a file instead of stdout
`;

/** Runs the command with `argv` (without node and the script); resolves with the exit code. */
export async function main(
  argv: string[],
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'asyncapi') {
    err(
      command === undefined || command === '--help' || command === '-h'
        ? USAGE
        : `unknown command: ${command}\n\n${USAGE}`,
    );
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest);
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (
    file === undefined ||
    positionals.length > 1 ||
    (values.format !== 'yaml' && values.format !== 'json')
  ) {
    err(USAGE);
    return 2;
  }
  try {
    const contract = await loadContract(file, values.export);
    const pkg = nearestPackage(dirname(resolve(file)));
    const title = values.title ?? pkg?.name;
    const version = values.version ?? pkg?.version;
    if (title === undefined || version === undefined) {
      err('no package.json with a name and a version above the contract: pass --title and --version\n');
      return 2;
    }
    const info: AsyncAPIInfo = { title, version };
    if (values.description !== undefined) info.description = values.description;
    if (values.url !== undefined) info.url = values.url;
    const document = toAsyncAPI(contract, info);
    const text =
      values.format === 'json'
        ? `${JSON.stringify(document, null, 2)}\n`
        : stringify(document, { aliasDuplicateObjects: false });
    if (values.out === undefined) out(text);
    else await writeFile(values.out, text);
    return 0;
  } catch (error) {
    err(`sockkit asyncapi: ${(error as Error).message}\n`);
    return 1;
  }
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      export: { type: 'string' },
      title: { type: 'string' },
      version: { type: 'string' },
      description: { type: 'string' },
      url: { type: 'string' },
      format: { type: 'string', default: 'yaml' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The name and version of the package.json nearest above `dir`, if any. */
function nearestPackage(dir: string): { name?: string; version?: string } | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const path = join(at, 'package.json');
    if (existsSync(path)) {
      const { name, version } = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      return { ...(name === undefined ? {} : { name }), ...(version === undefined ? {} : { version }) };
    }
    if (dirname(at) === at) return undefined;
  }
}
