// Package authlog parses Linux authentication logs (Debian/Ubuntu
// /var/log/auth.log, Red Hat /var/log/secure): syslog lines whose programs
// are sshd, sudo, su, login, CRON, systemd-logind and PAM modules. Every
// syslog line becomes an event; the ones that say who logged in, failed to,
// left, or ran what carry the normalised user, source address and port and
// an action:
//
//	sshd  Accepted password|publickey|keyboard-interactive/pam for U from A port N  login-success
//	sshd  Failed ... for [invalid user] U from A port N, Invalid user U from A       login-failure
//	sshd  Disconnected from user U A port N, session closed for user U                logout
//	pam   authentication failure; ... rhost=A user=U                                   login-failure
//	pam   session opened for user U                                                    login-success
//	sudo  U : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh                         execute
//	su    Successful su for root by U / FAILED su for root by U                        login-success/-failure
//	CRON  (root) CMD (command)                                                         execute
//	useradd new user: name=U, UID=0 ...; usermod add 'U' to group 'sudo'                create / modify
//	passwd  pam_unix(passwd:chauthtok): password changed for U                         modify
//
// Times are traditional syslog stamps without year or zone (or RFC 3339
// ones with both): the year comes from the manifest or the file's mtime, the
// zone from the case. Format name and event source: "auth".
package authlog
