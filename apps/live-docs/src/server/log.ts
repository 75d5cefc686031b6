/** The app's logger: console by default, silent in tests. */

/** Where the app reports. */
export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
}

/** Logs to the console. */
export const consoleLog: Logger = {
  info: (message) => console.log(message),
  warn: (message, error) => console.warn(message, error ?? ''),
};

/** Logs nothing. */
export const silentLog: Logger = { info: () => {}, warn: () => {} };
