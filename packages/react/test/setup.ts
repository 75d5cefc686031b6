/** React Testing Library unmounts what a test rendered after it (vitest runs without globals, so not by itself). */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());
