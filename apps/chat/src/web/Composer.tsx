/** Writing a message: Enter sends, Shift+Enter breaks the line; typing is shown to others until 3 s of quiet or the send. */
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { LIMITS } from '../shared/limits.js';

const QUIET_MS = 3000;

export function Composer({
  onSend,
  onTyping,
}: {
  onSend: (text: string) => void;
  onTyping: (typing: boolean) => void;
}) {
  const [text, setText] = useState('');
  const quiet = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(quiet.current), []);

  const typed = (value: string) => {
    setText(value);
    clearTimeout(quiet.current);
    onTyping(value.trim() !== '');
    quiet.current = setTimeout(() => onTyping(false), QUIET_MS);
  };
  const send = () => {
    const trimmed = text.trim();
    if (!trimmed) return;
    onSend(trimmed);
    setText('');
    clearTimeout(quiet.current);
    onTyping(false);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <textarea
        value={text}
        onChange={(event) => typed(event.target.value)}
        onKeyDown={onKey}
        placeholder="Message (markdown; Enter sends, Shift+Enter for a new line)"
        maxLength={LIMITS.maxMessageChars}
        rows={2}
        data-testid="composer"
      />
      <button type="submit" disabled={!text.trim()} data-testid="send">
        Send
      </button>
    </form>
  );
}
