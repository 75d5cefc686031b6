import { describe, expect, it } from 'vitest';
import { Emitter } from '../src/emitter.js';

class Bell extends Emitter<{ ring: [n: number] }> {
  ring(n: number) {
    this.emit('ring', n);
  }
}

describe('Emitter', () => {
  it('calls listeners in order; on() returns the remover', () => {
    const bell = new Bell();
    const heard: string[] = [];
    const off = bell.on('ring', (n) => heard.push(`a${n}`));
    bell.on('ring', (n) => heard.push(`b${n}`));
    bell.ring(1);
    off();
    bell.ring(2);
    expect(heard).toEqual(['a1', 'b1', 'b2']);
  });

  it('skips a listener removed by an earlier one in the same event', () => {
    const bell = new Bell();
    const heard: string[] = [];
    let offB = () => {};
    bell.on('ring', () => {
      heard.push('a');
      offB();
    });
    offB = bell.on('ring', () => heard.push('b'));
    bell.ring(1);
    expect(heard).toEqual(['a']);
  });

  it('keeps calling the others when one throws, and rethrows later', async () => {
    const bell = new Bell();
    const heard: number[] = [];
    const thrown = new Promise((resolve) => process.once('uncaughtException', resolve));
    bell.on('ring', () => {
      throw new Error('boom');
    });
    bell.on('ring', (n) => heard.push(n));
    bell.ring(7);
    expect(heard).toEqual([7]);
    await expect(thrown).resolves.toMatchObject({ message: 'boom' });
  });
});
