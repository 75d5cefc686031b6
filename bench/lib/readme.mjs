/**
 * Keeps bench/README.md current: replaces the text between `<!-- name:start -->` and
 * `<!-- name:end -->` with freshly measured content, then lets Biome format it (it pads tables).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const README = new URL('../README.md', import.meta.url);

/**
 * @param {string} name
 * @param {string} content markdown
 */
export function replaceSection(name, content) {
  const text = readFileSync(README, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  writeFileSync(README, `${text.slice(0, from + start.length)}\n${content.trim()}\n${text.slice(to)}`);
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  spawnSync(process.execPath, [biome, 'format', '--write', fileURLToPath(README)], { stdio: 'ignore' });
}
