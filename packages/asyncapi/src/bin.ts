#!/usr/bin/env node
/** The `sockkit` executable: runs cli.ts's `main` on the process's arguments. */
import { main } from './cli.js';

process.exitCode = await main(
  process.argv.slice(2),
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
);
