/**
 * The process starter (`spawner.ts`), in Perl: perl-base is Essential on Debian and perl is on
 * nearly every Unix, and a perl of a few megabytes forks in a fraction of what manifold's heap
 * costs (docs/performance.md). Requests come on stdin as NUL-ended fields:
 * `s id stderr-piped cwd argc argv... nset key value... nunset key...` starts a command (in
 * `cwd`, unless empty), `c id`
 * closes the starter's copies of its pipe ends (manifold has opened its own by then, through
 * /proc/PID/fd). Replies are lines on stdout, each written whole by one `syswrite` (atomic on a
 * pipe): `P id in out err` (the descriptors of the starter's ends, `-` for no stderr pipe),
 * then `S id pid` once the command's exec succeeded, or `F id errno`, and `X id code signal`
 * (`-` for the one it has not) at its end.
 *
 * The starter forks each command, learns whether its exec succeeded through a close-on-exec
 * pipe, as libuv does, then waits for its end and reports both: one command at a time, so a
 * Perl starter serves one slot (no SIGCHLD handling, which Perl cannot do without a race, is
 * needed). The command
 * leads a process group of its own (as Node's `detached`), gets the pipes as 0 and 1 (and 2 when
 * piped), the rest of its descriptors being close-on-exec, and its environment as the
 * starter's with the request's changes. Both ends of
 * its input pipe stay open in the starter until `c`, so manifold's open of the write end never
 * finds no reader; pipes get 1 MiB (F_SETPIPE_SZ, 1031) where the system allows.
 *
 * A command named without a slash is looked up in its PATH once per starter, not at every
 * block: a search is a failed `execve` per directory before it, which on a virtual machine
 * costs as much as a fork. The child still falls back to `execvp` when the file found is gone,
 * so a command not found ends as it always did (127).
 */
export const SPAWNER_SCRIPT = String.raw`
use POSIX ();
# manifold's stderr, a pipe, is non-blocking for every process that shares its open file once
# Node writes there: a command writing to a slow reader would meet EAGAIN and lose its words.
# This starter, and so its commands, write it through an open file of their own, blocking.
if (-p STDERR && sysopen(my $err, '/proc/self/fd/2', POSIX::O_WRONLY() | POSIX::O_NONBLOCK())) {
  my $flags = fcntl($err, POSIX::F_GETFL(), 0);
  fcntl($err, POSIX::F_SETFL(), $flags & ~POSIX::O_NONBLOCK()) if defined $flags;
  POSIX::dup2(fileno($err), 2);
  close($err);
}
$/ = "\0";
sub field { my $f = <STDIN>; defined $f or POSIX::_exit(0); chop $f; $f }
sub reply { my $l = join(' ', @_) . "\n"; syswrite(STDOUT, $l) }
my %found;
sub found {
  my ($name, $path) = @_;
  return undef if !defined $path || index($name, '/') >= 0;
  my $key = "$name\0$path";
  return $found{$key} if exists $found{$key};
  for my $dir (split /:/, $path, -1) {
    my $file = ($dir eq '' ? '.' : $dir) . "/$name";
    return $found{$key} = $file if -f $file && -x _;
  }
  return undef;
}
while (defined(my $op = <STDIN>)) {
  chop $op;
  my $id = field();
  next if $op eq 'c';
  my $piped = field();
  my $cwd = field();
  my @argv = map { field() } 1 .. field();
  my %set = map { field() } 1 .. 2 * field();
  my @unset = map { field() } 1 .. field();
  my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w, $st_r, $st_w);
  unless (pipe($in_r, $in_w) && pipe($out_r, $out_w) && (!$piped || pipe($err_r, $err_w))
      && pipe($st_r, $st_w)) {
    reply('F', $id, $! + 0);
    next;
  }
  my $path = exists $set{PATH} ? $set{PATH} : (grep { $_ eq 'PATH' } @unset) ? undef : $ENV{PATH};
  my $file = found($argv[0], $path);
  fcntl($in_w, 1031, 1048576);
  fcntl($out_w, 1031, 1048576);
  my $pid = fork;
  if (!defined $pid) { reply('F', $id, $! + 0); next }
  if ($pid == 0) {
    setpgrp(0, 0);
    POSIX::dup2(fileno $in_r, 0);
    POSIX::dup2(fileno $out_w, 1);
    POSIX::dup2(fileno $err_w, 2) if $piped;
    @ENV{keys %set} = values %set;
    delete @ENV{@unset};
    if ($cwd eq '' || chdir $cwd) {
      exec { $file } @argv if defined $file;
      exec { $argv[0] } @argv;
    }
    syswrite($st_w, pack('N', $! + 0));
    POSIX::_exit(127);
  }
  setpgrp($pid, $pid);
  close $st_w; close $out_w; close $err_w if $piped;
  reply('P', $id, $pid, fileno $in_w, fileno $out_r, $piped ? fileno $err_r : '-');
  my $close = field();
  field() if $close eq 'c';
  undef $in_r; undef $in_w; undef $out_r; undef $err_r;
  if (sysread($st_r, my $errno, 4) == 4) {
    waitpid($pid, 0);
    reply('F', $id, unpack('N', $errno));
    next;
  }
  reply('S', $id);
  waitpid($pid, 0);
  my $status = $?;
  reply('X', $id, $status & 127 ? ('-', $status & 127) : ($status >> 8, '-'));
}
`;
