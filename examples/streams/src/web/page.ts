/**
 * The page: Ask reads the answer stream into the page token by token, Stop cancels it (the
 * server's generator stops at once); Upload sends the chosen file in 32 KiB chunks, pulled only
 * as fast as the server reads them, and moves the progress bar as each chunk leaves.
 */
import { createSockkitClient, streams } from '@sockkit/client';
import { isSockkitError } from '@sockkit/core';
import { streamsContract } from '../contract.js';

const client = createSockkitClient({ url: `ws://${location.host}/ws`, contract: streamsContract, streams });
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let stop: AbortController | undefined;

$('ask').addEventListener('click', async () => {
  stop?.abort();
  const own = new AbortController();
  stop = own;
  $<HTMLButtonElement>('stop').disabled = false;
  $('answer').textContent = '';
  $('answer-status').textContent = 'streaming';
  const answer = client.stream.answer(
    { prompt: $<HTMLInputElement>('prompt').value },
    { signal: own.signal },
  );
  try {
    for await (const token of answer) $('answer').textContent += token;
    $('answer-status').textContent = `done: ${(await answer.result).tokens} tokens`;
  } catch (error) {
    const code = isSockkitError(error) ? error.code : 'error';
    if (stop === own) $('answer-status').textContent = code === 'CANCELLED' ? 'stopped' : `failed: ${code}`;
  } finally {
    if (stop === own) $<HTMLButtonElement>('stop').disabled = true;
  }
});

$('stop').addEventListener('click', () => stop?.abort());

/** 32 KiB of bytes: base64 on the wire makes ~43 KiB, within the server's 64 KiB per chunk. */
const CHUNK = 32 * 1024;

/** The file's bytes in chunks; each is pulled only when the server has room for it. */
async function* chunksOf(file: Blob, progress: HTMLProgressElement) {
  for (let at = 0; at < file.size; at += CHUNK) {
    yield new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer());
    progress.value = Math.min(file.size, at + CHUNK) / file.size;
  }
}

$('upload').addEventListener('click', async () => {
  const file = $<HTMLInputElement>('file').files?.[0];
  if (!file) return;
  const progress = $<HTMLProgressElement>('progress');
  progress.value = 0;
  $('upload-status').textContent = 'uploading';
  try {
    const done = await client.stream.upload({ name: file.name }, { source: chunksOf(file, progress) });
    progress.value = 1;
    $('upload-status').textContent = `uploaded ${done.name}: ${done.bytes} bytes, sum ${done.sum}`;
  } catch (error) {
    $('upload-status').textContent = `failed: ${isSockkitError(error) ? error.code : 'error'}`;
  }
});
