#!/usr/bin/env node
// The `sockkit` executable. A committed file rather than dist/bin.js: npm links a workspace's
// bin at install time, before anything is built, and skips a target that does not exist yet.
import { main } from '../dist/cli.js';

process.exitCode = await main(
  process.argv.slice(2),
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
);
