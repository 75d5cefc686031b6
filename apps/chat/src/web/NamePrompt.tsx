/** Asks for a display name on the first visit (and when renaming); kept in localStorage. */
import { type FormEvent, useState } from 'react';

export function NamePrompt({ initial, onDone }: { initial: string; onDone: (name: string) => void }) {
  const [name, setName] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim().slice(0, 64);
    if (trimmed) onDone(trimmed);
  };
  return (
    <form className="name-prompt" data-testid="name-prompt" onSubmit={submit}>
      <h2>Who are you?</h2>
      <p>Others see this name on your messages and when you are typing.</p>
      <input
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        placeholder="Your name"
        maxLength={64}
        required
        // biome-ignore lint/a11y/noAutofocus: the one field of a prompt shown alone
        autoFocus
      />
      <button type="submit">Continue</button>
    </form>
  );
}
