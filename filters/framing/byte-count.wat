;; Finds record ends of a one-byte delimiter 64 bytes a step, with 128-bit SIMD: why, and what
;; it saves, in docs/performance.md ("Counting record ends"). byte-count.ts copies the bytes in
;; and calls `nth`; build-wasm.mjs compiles this file into byte-count-wasm.ts, and
;; test/filters/framing/byte-count.test.ts checks the two agree.
(module
  (memory (export "memory") 1)
  ;; The $want-th byte equal to $b in [$p, $p + $len): the offset just past it, from $p; or
  ;; -1 - (the number found) when fewer than $want are there. Each step compares 64 bytes,
  ;; makes a 64-bit mask of the equal ones and adds its population count; only the step that
  ;; holds the $want-th looks at single bits.
  (func (export "nth") (param $p i32) (param $len i32) (param $b i32) (param $want i32) (result i32)
    (local $start i32) (local $end i32) (local $needle v128) (local $found i32)
    (local $m i64) (local $c i32) (local $r i32)
    (local.set $start (local.get $p))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $needle (i8x16.splat (local.get $b)))
    (block $tail
      (loop $step
        (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 64)) (local.get $end)))
        (local.set $m
          (i64.or
            (i64.or
              (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $needle))))
              (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $needle)))) (i64.const 16)))
            (i64.or
              (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load offset=32 (local.get $p)) (local.get $needle)))) (i64.const 32))
              (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load offset=48 (local.get $p)) (local.get $needle)))) (i64.const 48)))))
        (local.set $c (i32.wrap_i64 (i64.popcnt (local.get $m))))
        (if (i32.ge_u (i32.add (local.get $found) (local.get $c)) (local.get $want))
          (then
            ;; drop the lowest (want - found - 1) set bits; the next one is the want-th
            (local.set $r (i32.sub (i32.sub (local.get $want) (local.get $found)) (i32.const 1)))
            (block $done
              (loop $drop
                (br_if $done (i32.eqz (local.get $r)))
                (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
                (local.set $r (i32.sub (local.get $r) (i32.const 1)))
                (br $drop)))
            (return (i32.add (i32.sub (local.get $p) (local.get $start))
                             (i32.add (i32.wrap_i64 (i64.ctz (local.get $m))) (i32.const 1))))))
        (local.set $found (i32.add (local.get $found) (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $step)))
    (block $none
      (loop $byte
        (br_if $none (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eq (i32.load8_u (local.get $p)) (local.get $b))
          (then
            (local.set $found (i32.add (local.get $found) (i32.const 1)))
            (if (i32.ge_u (local.get $found) (local.get $want))
              (then (return (i32.sub (i32.add (local.get $p) (i32.const 1)) (local.get $start)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $byte)))
    (i32.sub (i32.const -1) (local.get $found))))
