//! The hostile-program suite for the languages added from Debian's packages (PyPy 3,
//! Kotlin, C#, Ruby, PHP, Haskell, OCaml, Scala), judged against `aplusb` (1 s,
//! 256 MiB): for each, a process (or thread) bomb, a memory bomb and a network
//! attempt. The bombs print the right answer only when the sandbox stopped them, so
//! each test would fail if its limit were not applied:
//! - a bomb counts the processes (threads for the JVM and Mono) it could start and
//!   answers only when it was refused before 1000: the run's limit is 64;
//! - a memory bomb keeps what it allocates: without the memory limit it would run
//!   into the time limit (TLE), not MLE (on the JVM, whose heap may grow to the
//!   whole limit, the cgroup steps in before OutOfMemoryError: the heap plus the
//!   JVM's own memory pass the limit first);
//! - the network attempts connect to PostgreSQL, Redis and RabbitMQ, which listen on
//!   the host's loopback, and answer only when every connection failed.
//!
//! `judge_source` also asserts that no process of the sandbox uid is left after a run.

mod common;

use common::{judge, judge_source, problem};
use judge::Verdict;

fn verdict(file: &str, code: &str) -> judge::Report {
    let (_g, j) = judge();
    judge_source(j, &problem("aplusb"), file, code)
}

fn assert_verdict(file: &str, code: &str, expected: Verdict) {
    let r = verdict(file, code);
    assert_eq!(
        r.verdict,
        expected,
        "{file}: {:?} {:?} {:?}",
        r.message,
        r.compile.as_ref().map(|c| &c.output),
        r.tests.first().map(|t| (&t.message, t.memory_bytes))
    );
}

// --- PyPy 3 (chosen by its `#!` line: .py files are CPython's) ---

#[test]
fn pypy_fork_bomb_is_contained() {
    let code = r#"#!/usr/bin/env pypy3
import os, time
n = 0
while n < 1000:
    try:
        if os.fork() == 0:
            time.sleep(100)
            os._exit(0)
        n += 1
    except OSError:
        break
a, b = map(int, input().split())
print(a + b if n < 1000 else "forked %d" % n)
"#;
    assert_verdict("bomb", code, Verdict::Accepted);
}

#[test]
fn pypy_memory_bomb_is_mle() {
    let code = "#!/usr/bin/env pypy3\nkeep = []\nwhile True:\n    keep.append(b'x' * (1 << 20))\n";
    assert_verdict("hog", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn pypy_has_no_network() {
    let code = r#"#!/usr/bin/env pypy3
import socket
for port in (5432, 6379, 5672):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5)
        print("CONNECTED", port)
    except OSError:
        pass
a, b = map(int, input().split())
print(a + b)
"#;
    assert_verdict("net", code, Verdict::Accepted);
}

// --- Ruby ---

#[test]
fn ruby_fork_bomb_is_contained() {
    let code = r#"n = 0
begin
  while n < 1000
    fork { sleep 100 }
    n += 1
  end
rescue SystemCallError
end
a, b = gets.split.map(&:to_i)
puts(n < 1000 ? a + b : "forked #{n}")
"#;
    // Ruby's fork retries while the kernel answers EAGAIN, so the bomb waits at the
    // limit until its time is up; without the limit it would stop at 1000 and answer
    // "forked 1000" (WA).
    assert_verdict("bomb.rb", code, Verdict::TimeLimitExceeded);
}

#[test]
fn ruby_memory_bomb_is_mle() {
    let code = "keep = []\nloop { keep << 'x' * (1 << 20) }\n";
    assert_verdict("hog.rb", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn ruby_has_no_network() {
    let code = r#"require 'socket'
[5432, 6379, 5672].each do |port|
  begin
    Socket.tcp('127.0.0.1', port, connect_timeout: 0.5).close
    puts "CONNECTED #{port}"
  rescue StandardError
  end
end
a, b = gets.split.map(&:to_i)
puts a + b
"#;
    assert_verdict("net.rb", code, Verdict::Accepted);
}

// --- PHP ---

#[test]
fn php_fork_bomb_is_contained() {
    let code = r#"<?php
$n = 0;
while ($n < 1000) {
    $pid = pcntl_fork();
    if ($pid === -1) break;
    if ($pid === 0) { sleep(100); exit(0); }
    $n++;
}
[$a, $b] = array_map('intval', preg_split('/\s+/', trim(fgets(STDIN))));
echo $n < 1000 ? $a + $b : "forked $n", "\n";
"#;
    assert_verdict("bomb.php", code, Verdict::Accepted);
}

#[test]
fn php_memory_bomb_is_mle() {
    let code = "<?php\n$keep = [];\nwhile (true) { $keep[] = str_repeat('x', 1 << 20); }\n";
    assert_verdict("hog.php", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn php_has_no_network() {
    let code = r#"<?php
foreach ([5432, 6379, 5672] as $port) {
    $s = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.5);
    if ($s !== false) echo "CONNECTED $port\n";
}
[$a, $b] = array_map('intval', preg_split('/\s+/', trim(fgets(STDIN))));
echo $a + $b, "\n";
"#;
    assert_verdict("net.php", code, Verdict::Accepted);
}

// --- Haskell ---

#[test]
fn haskell_fork_bomb_is_contained() {
    let code = r#"import Control.Concurrent (threadDelay)
import Control.Exception (IOException, try)
import System.Posix.Process (forkProcess)
import System.Posix.Types (ProcessID)

forkAll :: Int -> IO Int
forkAll n
  | n >= 1000 = return n
  | otherwise = do
      r <- try (forkProcess (threadDelay 100000000)) :: IO (Either IOException ProcessID)
      either (const (return n)) (const (forkAll (n + 1))) r

main :: IO ()
main = do
  n <- forkAll 0
  [a, b] <- map read . words <$> getLine
  if n < 1000 then print (a + b :: Integer) else putStrLn ("forked " ++ show n)
"#;
    assert_verdict("bomb.hs", code, Verdict::Accepted);
}

#[test]
fn haskell_memory_bomb_is_mle() {
    // The list is used twice, so all of it stays alive while `length` walks it.
    let code = "main :: IO ()\nmain = do\n  let xs = [1 ..] :: [Integer]\n  print (length xs + fromIntegral (sum xs))\n";
    assert_verdict("hog.hs", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn haskell_has_no_network() {
    // GHC ships no socket library: connect(2) through the FFI.
    let code = r#"{-# LANGUAGE ForeignFunctionInterface #-}
import Control.Monad (forM_, when)
import Data.Bits (shiftR, (.&.))
import Data.Word (Word8)
import Foreign.C.Types (CInt (..))
import Foreign.Marshal.Alloc (allocaBytes)
import Foreign.Ptr (Ptr)
import Foreign.Storable (pokeByteOff)

foreign import ccall "socket" c_socket :: CInt -> CInt -> CInt -> IO CInt
foreign import ccall "connect" c_connect :: CInt -> Ptr () -> CInt -> IO CInt

connects :: Int -> IO Bool
connects port = do
  fd <- c_socket 2 1 0
  if fd < 0
    then return False
    else allocaBytes 16 $ \addr -> do
      forM_ [0 .. 15] $ \i -> pokeByteOff addr i (0 :: Word8)
      pokeByteOff addr 0 (2 :: Word8)
      pokeByteOff addr 2 (fromIntegral (port `shiftR` 8) :: Word8)
      pokeByteOff addr 3 (fromIntegral (port .&. 255) :: Word8)
      forM_ (zip [4 ..] [127, 0, 0, 1]) $ \(i, b) -> pokeByteOff addr i (b :: Word8)
      (== 0) <$> c_connect fd addr 16

main :: IO ()
main = do
  forM_ [5432, 6379, 5672] $ \port -> do
    ok <- connects port
    when ok $ putStrLn ("CONNECTED " ++ show port)
  [a, b] <- map read . words <$> getLine
  print (a + b :: Integer)
"#;
    assert_verdict("net.hs", code, Verdict::Accepted);
}

// --- OCaml ---

#[test]
fn ocaml_fork_bomb_is_contained() {
    let code = r#"let () =
  let n = ref 0 in
  (try
     while !n < 1000 do
       match Unix.fork () with
       | 0 -> Unix.sleep 100; exit 0
       | _ -> incr n
     done
   with Unix.Unix_error _ -> ());
  Scanf.scanf " %d %d" (fun a b ->
      if !n < 1000 then Printf.printf "%d\n" (a + b) else Printf.printf "forked %d\n" !n)
"#;
    assert_verdict("bomb.ml", code, Verdict::Accepted);
}

#[test]
fn ocaml_memory_bomb_is_mle() {
    let code = "let () =\n  let keep = ref [] in\n  while true do keep := Bytes.make (1 lsl 20) 'x' :: !keep done\n";
    assert_verdict("hog.ml", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn ocaml_has_no_network() {
    let code = r#"let () =
  List.iter
    (fun port ->
      try
        let s = Unix.socket Unix.PF_INET Unix.SOCK_STREAM 0 in
        (try
           Unix.connect s (Unix.ADDR_INET (Unix.inet_addr_loopback, port));
           Printf.printf "CONNECTED %d\n" port
         with Unix.Unix_error _ -> ());
        Unix.close s
      with Unix.Unix_error _ -> ())
    [5432; 6379; 5672];
  Scanf.scanf " %d %d" (fun a b -> Printf.printf "%d\n" (a + b))
"#;
    assert_verdict("net.ml", code, Verdict::Accepted);
}

// --- C# (Mono) ---

#[test]
fn csharp_thread_bomb_is_contained() {
    let code = r#"using System;
using System.Threading;

class Bomb
{
    static void Main()
    {
        int n = 0;
        try
        {
            for (; n < 1000; n++)
            {
                var t = new Thread(() => Thread.Sleep(100000));
                t.IsBackground = true;
                t.Start();
            }
        }
        catch (Exception) { }
        var p = Console.ReadLine().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine(n < 1000 ? (long.Parse(p[0]) + long.Parse(p[1])).ToString() : "threads " + n);
    }
}
"#;
    assert_verdict("bomb.cs", code, Verdict::Accepted);
}

#[test]
fn csharp_memory_bomb_is_mle() {
    let code = r#"using System.Collections.Generic;

class Hog
{
    static void Main()
    {
        var keep = new List<byte[]>();
        while (true)
        {
            var b = new byte[1 << 20];
            for (int i = 0; i < b.Length; i += 4096) b[i] = 1;
            keep.Add(b);
        }
    }
}
"#;
    assert_verdict("hog.cs", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn csharp_has_no_network() {
    let code = r#"using System;
using System.Net.Sockets;

class Net
{
    static void Main()
    {
        foreach (var port in new[] { 5432, 6379, 5672 })
        {
            try
            {
                using (var c = new TcpClient()) { c.Connect("127.0.0.1", port); }
                Console.WriteLine("CONNECTED " + port);
            }
            catch (Exception) { }
        }
        var p = Console.ReadLine().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine(long.Parse(p[0]) + long.Parse(p[1]));
    }
}
"#;
    assert_verdict("net.cs", code, Verdict::Accepted);
}

// --- Kotlin ---

#[test]
fn kotlin_thread_bomb_is_contained() {
    let code = r#"fun main() {
    var n = 0
    try {
        while (n < 1000) {
            val t = Thread { Thread.sleep(100000) }
            t.isDaemon = true
            t.start()
            n++
        }
    } catch (e: Throwable) {
    }
    val (a, b) = readLine()!!.trim().split(Regex("\\s+")).map { it.toLong() }
    println(if (n < 1000) (a + b).toString() else "threads $n")
}
"#;
    assert_verdict("bomb.kt", code, Verdict::Accepted);
}

#[test]
fn kotlin_memory_bomb_is_mle() {
    let code = r#"fun main() {
    val keep = ArrayList<ByteArray>()
    while (true) {
        val b = ByteArray(1 shl 20)
        b.fill(1)
        keep.add(b)
    }
}
"#;
    assert_verdict("hog.kt", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn kotlin_has_no_network() {
    let code = r#"import java.net.InetSocketAddress
import java.net.Socket

fun main() {
    for (port in listOf(5432, 6379, 5672)) {
        try {
            Socket().use { it.connect(InetSocketAddress("127.0.0.1", port), 500) }
            println("CONNECTED $port")
        } catch (e: Exception) {
        }
    }
    val (a, b) = readLine()!!.trim().split(Regex("\\s+")).map { it.toLong() }
    println(a + b)
}
"#;
    assert_verdict("net.kt", code, Verdict::Accepted);
}

// --- Scala ---

#[test]
fn scala_thread_bomb_is_contained() {
    let code = r#"object Bomb {
  def main(args: Array[String]): Unit = {
    var n = 0
    try {
      while (n < 1000) {
        val t = new Thread(new Runnable { def run(): Unit = Thread.sleep(100000) })
        t.setDaemon(true)
        t.start()
        n += 1
      }
    } catch { case _: Throwable => }
    val Array(a, b) = scala.io.StdIn.readLine().trim.split("\\s+").map(_.toLong)
    println(if (n < 1000) (a + b).toString else s"threads $n")
  }
}
"#;
    assert_verdict("Bomb.scala", code, Verdict::Accepted);
}

#[test]
fn scala_memory_bomb_is_mle() {
    let code = r#"object Hog {
  def main(args: Array[String]): Unit = {
    val keep = new java.util.ArrayList[Array[Byte]]()
    while (true) {
      val b = new Array[Byte](1 << 20)
      java.util.Arrays.fill(b, 1.toByte)
      keep.add(b)
    }
  }
}
"#;
    assert_verdict("Hog.scala", code, Verdict::MemoryLimitExceeded);
}

#[test]
fn scala_has_no_network() {
    let code = r#"import java.net.{InetSocketAddress, Socket}

object Net {
  def main(args: Array[String]): Unit = {
    for (port <- Seq(5432, 6379, 5672)) {
      try {
        val s = new Socket()
        s.connect(new InetSocketAddress("127.0.0.1", port), 500)
        s.close()
        println(s"CONNECTED $port")
      } catch { case _: Exception => }
    }
    val Array(a, b) = scala.io.StdIn.readLine().trim.split("\\s+").map(_.toLong)
    println(a + b)
  }
}
"#;
    assert_verdict("Net.scala", code, Verdict::Accepted);
}
