/**
 * Document limits both sides know: the editor refuses a paste above them before it enters
 * the document, and the server refuses anything that slipped through.
 */

/** Limits on document content. */
export interface DocLimits {
  /** Most characters one push may insert (a paste above this is refused). */
  maxInsertChars: number;
  /** Largest document, in characters. */
  maxDocChars: number;
  /** Most updates in one push. */
  maxUpdatesPerPush: number;
}

/** The defaults: 256 Ki characters per push, 8 Mi characters per document. */
export const DEFAULT_DOC_LIMITS: DocLimits = {
  maxInsertChars: 256 * 1024,
  maxDocChars: 8 * 1024 * 1024,
  maxUpdatesPerPush: 500,
};

/** Most updates one `pullUpdates` answer carries; the caller asks again while `more` is set. */
export const PULL_PAGE = 1000;
