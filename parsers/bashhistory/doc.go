// Package bashhistory parses shell history files: bash's ~/.bash_history
// with HISTTIMEFORMAT set ("#1700000000" before each command) and without
// it, and zsh's extended history (": 1700000000:0;command").
//
// Every command is an event with action execute and the command as its
// message. Its time is the "#epoch" line right before it; a command with no
// epoch line of its own takes the last known time (or, before the first
// one, the first epoch of the file) and is tagged "no-timestamp". A history
// with no epoch lines at all has no time for any command: every command is
// placed at the file's modification time (TimeDesc "mtime") and tagged
// "no-timestamp,file-mtime", in file order, so the line numbers keep the
// sequence.
//
// The user is read from the path when it is a home directory
// (home/alice/.bash_history, root/.bash_history). Format name and event
// source: "bash-history".
package bashhistory
