// How long a test lets a child process (the built CLI, a demo, PHP) run before it calls it hung. Only a hang reaches
// it: a Node start that loads the app takes well over 15 s on a loaded 2-core machine, and a tighter guard turns load
// into failures (status null) that say nothing about the code.
export const CHILD_TIMEOUT_MS = 90_000
