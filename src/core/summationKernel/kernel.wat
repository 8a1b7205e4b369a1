;; Float32 dense layer with one summation order per output column (src/core/summationOrder.ts),
;; bit for bit equal to its JavaScript reference, vectorised across ROWS: every row of a column
;; uses the same order, so 16 rows (four f32x4, or eight f64x2 for FMA) accumulate side by side.
;; Each lane of an order is summed on its own (lane l of a K-block takes the inputs k with
;; (k - block start) mod lanes = l, in increasing k), then the lanes are summed pairwise.
;; Compiled by scripts/buildSummationKernel.mjs into kernelBytes.ts; edit this file, not that.
;;
;; Memory (all offsets set by the caller, 16-byte aligned):
;;   x       [rows][inputs] f32           the layer input, row-major
;;   w       [units][inputs] f32          row j = incoming weights of column j
;;   b       [units] f32
;;   cols    [units] i32                  the column's order: bits 0-1 lane class (0: 1 lane,
;;                                        1: 4, 2: 8, 3: 16), bit 2 FMA, bit 3 bias first,
;;                                        bits 8-31 K-block size (1 ≤ block ≤ inputs)
;;   out     [rows rounded up to 16][units] f32, rows past `rows` are scratch
;;   scratch scratchSize(inputs) bytes, laid out by $layer below
;;
;; Why each part is exact:
;; - Non-FMA: f32x4.mul/add are IEEE float32 operations, which equal Math.fround of the float64
;;   product/sum (the float64 result of float32 operands rounds correctly to float32).
;; - FMA: the reference computes fround(acc + w*x) in float64 (exact product, one float64
;;   rounding, then the float32 one); the f64x2 mul, add and demote below do the same steps.
;; - Zeros: the reference skips inputs equal to 0 and K-blocks without a nonzero input. Here an
;;   input is skipped only when it is 0 in all 16 rows (a row with 0 there adds a zero product)
;;   and every block is summed. Adding a zero to a float32 value leaves it unchanged unless the
;;   value is -0 (-0 + +0 = +0), so every lane, block sum and total equals the reference's up to
;;   the sign of a zero. Such a difference reaches the output only where the total can be -0
;;   at all: a column that adds its bias first with a bias of -0 (a total starting at +0, or at
;;   a nonzero bias, is never -0). The caller recomputes those columns' zero outputs.
;;   Weights must be finite (0·inf would be NaN); the caller checks with allFinite.
(module
  (memory (export "memory") 1)

  ;; Scratch bytes for a layer of `inputs` inputs: per input 64 (f32 transpose) + 128 (float64
  ;; transpose) + 16 (four index lists); then offsets (320), cursors (64), lane sums (1024).
  (func (export "scratchSize") (param $inputs i32) (result i32)
    (i32.add (i32.mul (local.get $inputs) (i32.const 208)) (i32.const 1408)))

  (func (export "layer")
    (param $x i32) (param $w i32) (param $b i32) (param $cols i32) (param $out i32) (param $scratch i32)
    (param $rows i32) (param $inputs i32) (param $units i32) (param $anyFma i32)
    (local $xt32 i32) (local $xt64 i32) (local $kl i32) (local $off i32) (local $cur i32) (local $lb i32)
    (local $g i32) (local $j i32)
    (local.set $xt32 (local.get $scratch))
    (local.set $xt64 (i32.add (local.get $xt32) (i32.shl (local.get $inputs) (i32.const 6))))
    (local.set $kl (i32.add (local.get $xt64) (i32.shl (local.get $inputs) (i32.const 7))))
    (local.set $off (i32.add (local.get $kl) (i32.shl (local.get $inputs) (i32.const 4))))
    (local.set $cur (i32.add (local.get $off) (i32.const 320)))
    (local.set $lb (i32.add (local.get $cur) (i32.const 64)))
    (local.set $g (i32.const 0))
    (block $groupsDone
      (loop $group
        (br_if $groupsDone (i32.ge_s (local.get $g) (local.get $rows)))
        (call $transpose (local.get $x) (local.get $xt32) (local.get $g) (local.get $rows) (local.get $inputs))
        (if (local.get $anyFma) (then (call $widen (local.get $xt32) (local.get $xt64) (local.get $inputs))))
        (call $lists (local.get $xt32) (local.get $kl) (local.get $off) (local.get $cur) (local.get $inputs))
        (local.set $j (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_s (local.get $j) (local.get $units)))
            (call $column
              (local.get $j) (local.get $w) (local.get $b) (local.get $cols)
              (i32.add (local.get $out) (i32.shl (i32.mul (local.get $g) (local.get $units)) (i32.const 2)))
              (local.get $xt32) (local.get $xt64) (local.get $kl) (local.get $off) (local.get $cur) (local.get $lb)
              (local.get $inputs) (local.get $units))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $column)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $group))))

  ;; xt32[k][r] = x[g + r][k] for the 16 rows of the group; rows past the end are zeros.
  (func $transpose (param $x i32) (param $xt32 i32) (param $g i32) (param $rows i32) (param $inputs i32)
    (local $r i32) (local $src i32) (local $dst i32) (local $end i32)
    (local.set $r (i32.const 0))
    (loop $row
      (local.set $dst (i32.add (local.get $xt32) (i32.shl (local.get $r) (i32.const 2))))
      (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $inputs) (i32.const 6))))
      (if (i32.lt_s (i32.add (local.get $g) (local.get $r)) (local.get $rows))
        (then
          (local.set $src (i32.add (local.get $x)
            (i32.shl (i32.mul (i32.add (local.get $g) (local.get $r)) (local.get $inputs)) (i32.const 2))))
          (block $copied
            (loop $copy
              (br_if $copied (i32.ge_u (local.get $dst) (local.get $end)))
              (f32.store (local.get $dst) (f32.load (local.get $src)))
              (local.set $src (i32.add (local.get $src) (i32.const 4)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
              (br $copy))))
        (else
          (block $cleared
            (loop $clear
              (br_if $cleared (i32.ge_u (local.get $dst) (local.get $end)))
              (f32.store (local.get $dst) (f32.const 0))
              (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
              (br $clear)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_s (local.get $r) (i32.const 16)))))

  ;; xt64[k][r] = xt32[k][r] as float64, the FMA loop's operand.
  (func $widen (param $xt32 i32) (param $xt64 i32) (param $inputs i32)
    (local $src i32) (local $dst i32) (local $end i32) (local $v v128)
    (local.set $src (local.get $xt32))
    (local.set $dst (local.get $xt64))
    (local.set $end (i32.add (local.get $xt32) (i32.shl (local.get $inputs) (i32.const 6))))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (v128.load (local.get $src)))
        (v128.store offset=0 (local.get $dst) (f64x2.promote_low_f32x4 (local.get $v)))
        (v128.store offset=16 (local.get $dst) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $quad))))

  ;; 1 if the n float32 values at p are all finite, else 0.
  (func (export "allFinite") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $bad v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; |v| < inf is false for inf and NaN
        (local.set $bad (v128.or (local.get $bad)
          (v128.not (f32x4.lt (f32x4.abs (v128.load (local.get $p))) (f32x4.splat (f32.const inf))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $quad)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eqz (f32.lt (f32.abs (f32.load (local.get $p))) (f32.const inf))) (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (i32.eqz (v128.any_true (local.get $bad))))

  ;; Index lists of the inputs that are nonzero in some row of the group, one per lane class,
  ;; each sorted by (k mod lanes, k): list c at kl + c·inputs·4, with 17 offsets per class at
  ;; off + c·68 (residue r's inputs are entries off[r] to off[r+1]). Class 0 (1 lane) is the
  ;; plain increasing list.
  (func $lists (param $xt32 i32) (param $kl i32) (param $off i32) (param $cur i32) (param $inputs i32)
    (local $k i32) (local $m i32) (local $a i32) (local $c i32) (local $mask i32) (local $r i32)
    (local $t i32) (local $sum i32) (local $list i32) (local $offc i32) (local $kk i32) (local $slot i32)
    (local.set $k (i32.const 0))
    (local.set $m (i32.const 0))
    (block $done
      (loop $input
        (br_if $done (i32.ge_s (local.get $k) (local.get $inputs)))
        (local.set $a (i32.add (local.get $xt32) (i32.shl (local.get $k) (i32.const 6))))
        (if (v128.any_true
              (v128.or
                (v128.or (f32x4.ne (v128.load offset=0 (local.get $a)) (f32x4.splat (f32.const 0)))
                         (f32x4.ne (v128.load offset=16 (local.get $a)) (f32x4.splat (f32.const 0))))
                (v128.or (f32x4.ne (v128.load offset=32 (local.get $a)) (f32x4.splat (f32.const 0)))
                         (f32x4.ne (v128.load offset=48 (local.get $a)) (f32x4.splat (f32.const 0))))))
          (then
            (i32.store (i32.add (local.get $kl) (i32.shl (local.get $m) (i32.const 2))) (local.get $k))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $input)))
    (i32.store offset=0 (local.get $off) (i32.const 0))
    (i32.store offset=4 (local.get $off) (local.get $m))
    (local.set $c (i32.const 1))
    (loop $class
      ;; lanes = 2 << c (4, 8, 16)
      (local.set $mask (i32.sub (i32.shl (i32.const 2) (local.get $c)) (i32.const 1)))
      (local.set $list (i32.add (local.get $kl) (i32.mul (local.get $c) (i32.shl (local.get $inputs) (i32.const 2)))))
      (local.set $offc (i32.add (local.get $off) (i32.mul (local.get $c) (i32.const 68))))
      ;; count per residue
      (v128.store offset=0 (local.get $cur) (v128.const i32x4 0 0 0 0))
      (v128.store offset=16 (local.get $cur) (v128.const i32x4 0 0 0 0))
      (v128.store offset=32 (local.get $cur) (v128.const i32x4 0 0 0 0))
      (v128.store offset=48 (local.get $cur) (v128.const i32x4 0 0 0 0))
      (local.set $t (i32.const 0))
      (block $counted
        (loop $count
          (br_if $counted (i32.ge_s (local.get $t) (local.get $m)))
          (local.set $slot (i32.add (local.get $cur)
            (i32.shl (i32.and (i32.load (i32.add (local.get $kl) (i32.shl (local.get $t) (i32.const 2)))) (local.get $mask)) (i32.const 2))))
          (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $count)))
      ;; offsets, and cursors at each residue's start
      (local.set $sum (i32.const 0))
      (local.set $r (i32.const 0))
      (loop $prefix
        (local.set $slot (i32.add (local.get $cur) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $t (i32.load (local.get $slot)))
        (i32.store (i32.add (local.get $offc) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
        (i32.store (local.get $slot) (local.get $sum))
        (local.set $sum (i32.add (local.get $sum) (local.get $t)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $prefix (i32.le_u (local.get $r) (local.get $mask))))
      (i32.store (i32.add (local.get $offc) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
      ;; place
      (local.set $t (i32.const 0))
      (block $placed
        (loop $place
          (br_if $placed (i32.ge_s (local.get $t) (local.get $m)))
          (local.set $kk (i32.load (i32.add (local.get $kl) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $slot (i32.add (local.get $cur) (i32.shl (i32.and (local.get $kk) (local.get $mask)) (i32.const 2))))
          (i32.store (i32.add (local.get $list) (i32.shl (i32.load (local.get $slot)) (i32.const 2))) (local.get $kk))
          (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $place)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $class (i32.le_u (local.get $c) (i32.const 3)))))

  ;; One output column for the 16 rows of the group, written to out[r][j] (out at the group's first row).
  (func $column
    (param $j i32) (param $w i32) (param $b i32) (param $cols i32) (param $out i32)
    (param $xt32 i32) (param $xt64 i32) (param $kl i32) (param $off i32) (param $cur i32) (param $lb i32)
    (param $inputs i32) (param $units i32)
    (local $code i32) (local $c i32) (local $lanes i32) (local $mask i32) (local $fma i32) (local $block i32)
    (local $list i32) (local $offc i32) (local $wrow i32) (local $bias f32) (local $biasFirst i32)
    (local $s i32) (local $l i32) (local $r i32) (local $step i32) (local $i i32) (local $p i32) (local $o i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $code (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 2)))))
    (local.set $c (i32.and (local.get $code) (i32.const 3)))
    (local.set $lanes (select (i32.shl (i32.const 2) (local.get $c)) (i32.const 1) (local.get $c)))
    (local.set $mask (i32.sub (local.get $lanes) (i32.const 1)))
    (local.set $fma (i32.and (local.get $code) (i32.const 4)))
    (local.set $biasFirst (i32.and (local.get $code) (i32.const 8)))
    (local.set $block (i32.shr_u (local.get $code) (i32.const 8)))
    (local.set $list (i32.add (local.get $kl) (i32.mul (local.get $c) (i32.shl (local.get $inputs) (i32.const 2)))))
    (local.set $offc (i32.add (local.get $off) (i32.mul (local.get $c) (i32.const 68))))
    (local.set $wrow (i32.add (local.get $w) (i32.shl (i32.mul (local.get $j) (local.get $inputs)) (i32.const 2))))
    (local.set $bias (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))))
    (if (local.get $biasFirst)
      (then
        (local.set $t0 (f32x4.splat (local.get $bias)))
        (local.set $t1 (local.get $t0))
        (local.set $t2 (local.get $t0))
        (local.set $t3 (local.get $t0))))
    ;; each residue's cursor at its first input
    (local.set $r (i32.const 0))
    (loop $init
      (i32.store (i32.add (local.get $cur) (i32.shl (local.get $r) (i32.const 2)))
        (i32.load (i32.add (local.get $offc) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $init (i32.le_u (local.get $r) (local.get $mask))))
    (local.set $s (i32.const 0))
    (loop $blocks
      ;; lane l of the block starting at s sums the inputs with (k - s) mod lanes = l
      (local.set $l (i32.const 0))
      (loop $lanesLoop
        (local.set $r (i32.and (i32.add (local.get $s) (local.get $l)) (local.get $mask)))
        (if (local.get $fma)
          (then (call $laneFma (local.get $l) (local.get $r) (local.get $s) (local.get $block) (local.get $list)
                  (local.get $offc) (local.get $cur) (local.get $wrow) (local.get $xt64) (local.get $lb)))
          (else (call $lane (local.get $l) (local.get $r) (local.get $s) (local.get $block) (local.get $list)
                  (local.get $offc) (local.get $cur) (local.get $wrow) (local.get $xt32) (local.get $lb))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br_if $lanesLoop (i32.le_u (local.get $l) (local.get $mask))))
      ;; pairwise horizontal sum: lane[i] += lane[i + step] for step = lanes/2 … 1
      (local.set $step (i32.shr_u (local.get $lanes) (i32.const 1)))
      (block $summed
        (loop $halve
          (br_if $summed (i32.eqz (local.get $step)))
          (local.set $i (i32.const 0))
          (loop $pair
            (local.set $p (i32.add (local.get $lb) (i32.shl (local.get $i) (i32.const 6))))
            (local.set $o (i32.shl (local.get $step) (i32.const 6)))
            (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p))
              (v128.load offset=0 (i32.add (local.get $p) (local.get $o)))))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p))
              (v128.load offset=16 (i32.add (local.get $p) (local.get $o)))))
            (v128.store offset=32 (local.get $p) (f32x4.add (v128.load offset=32 (local.get $p))
              (v128.load offset=32 (i32.add (local.get $p) (local.get $o)))))
            (v128.store offset=48 (local.get $p) (f32x4.add (v128.load offset=48 (local.get $p))
              (v128.load offset=48 (i32.add (local.get $p) (local.get $o)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $pair (i32.lt_u (local.get $i) (local.get $step))))
          (local.set $step (i32.shr_u (local.get $step) (i32.const 1)))
          (br $halve)))
      (local.set $t0 (f32x4.add (local.get $t0) (v128.load offset=0 (local.get $lb))))
      (local.set $t1 (f32x4.add (local.get $t1) (v128.load offset=16 (local.get $lb))))
      (local.set $t2 (f32x4.add (local.get $t2) (v128.load offset=32 (local.get $lb))))
      (local.set $t3 (f32x4.add (local.get $t3) (v128.load offset=48 (local.get $lb))))
      (local.set $s (i32.add (local.get $s) (local.get $block)))
      (br_if $blocks (i32.lt_s (local.get $s) (local.get $inputs))))
    (if (i32.eqz (local.get $biasFirst))
      (then
        (local.set $t0 (f32x4.add (local.get $t0) (f32x4.splat (local.get $bias))))
        (local.set $t1 (f32x4.add (local.get $t1) (f32x4.splat (local.get $bias))))
        (local.set $t2 (f32x4.add (local.get $t2) (f32x4.splat (local.get $bias))))
        (local.set $t3 (f32x4.add (local.get $t3) (f32x4.splat (local.get $bias))))))
    ;; out[r][j] for r = 0 … 15: through the lane buffer, then one scalar copy per row
    (v128.store offset=0 (local.get $lb) (local.get $t0))
    (v128.store offset=16 (local.get $lb) (local.get $t1))
    (v128.store offset=32 (local.get $lb) (local.get $t2))
    (v128.store offset=48 (local.get $lb) (local.get $t3))
    (local.set $p (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
    (local.set $o (i32.shl (local.get $units) (i32.const 2)))
    (local.set $i (i32.const 0))
    (loop $store
      (f32.store (local.get $p) (f32.load (i32.add (local.get $lb) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (local.get $o)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $store (i32.lt_u (local.get $i) (i32.const 16)))))

  ;; Lane l (residue r) of the block [s, s + block), non-FMA: acc = fround(acc + fround(w·x)),
  ;; sixteen rows at once; the lane's 16 sums go to lb + l·64.
  (func $lane
    (param $l i32) (param $r i32) (param $s i32) (param $block i32) (param $list i32)
    (param $offc i32) (param $cur i32) (param $wrow i32) (param $xt32 i32) (param $lb i32)
    (local $idx i32) (local $end i32) (local $limit i32) (local $k i32) (local $xa i32) (local $slot i32)
    (local $wv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $slot (i32.add (local.get $cur) (i32.shl (local.get $r) (i32.const 2))))
    (local.set $idx (i32.load (local.get $slot)))
    (local.set $end (i32.load offset=4 (i32.add (local.get $offc) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $limit (i32.add (local.get $s) (local.get $block)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $k (i32.load (i32.add (local.get $list) (i32.shl (local.get $idx) (i32.const 2)))))
        (br_if $done (i32.ge_s (local.get $k) (local.get $limit)))
        (local.set $wv (v128.load32_splat (i32.add (local.get $wrow) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $xa (i32.add (local.get $xt32) (i32.shl (local.get $k) (i32.const 6))))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $wv) (v128.load offset=0 (local.get $xa)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $wv) (v128.load offset=16 (local.get $xa)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $wv) (v128.load offset=32 (local.get $xa)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $wv) (v128.load offset=48 (local.get $xa)))))
        (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
        (br $next)))
    (i32.store (local.get $slot) (local.get $idx))
    (local.set $xa (i32.add (local.get $lb) (i32.shl (local.get $l) (i32.const 6))))
    (v128.store offset=0 (local.get $xa) (local.get $a0))
    (v128.store offset=16 (local.get $xa) (local.get $a1))
    (v128.store offset=32 (local.get $xa) (local.get $a2))
    (v128.store offset=48 (local.get $xa) (local.get $a3)))

  ;; The same lane with FMA: acc = fround(acc + w·x) with the product exact and the sum rounded
  ;; to float64 first, as the reference computes it. Accumulators are float64 pairs that always
  ;; hold float32 values (demote, then promote back).
  (func $laneFma
    (param $l i32) (param $r i32) (param $s i32) (param $block i32) (param $list i32)
    (param $offc i32) (param $cur i32) (param $wrow i32) (param $xt64 i32) (param $lb i32)
    (local $idx i32) (local $end i32) (local $limit i32) (local $k i32) (local $xa i32) (local $slot i32)
    (local $wv v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $slot (i32.add (local.get $cur) (i32.shl (local.get $r) (i32.const 2))))
    (local.set $idx (i32.load (local.get $slot)))
    (local.set $end (i32.load offset=4 (i32.add (local.get $offc) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $limit (i32.add (local.get $s) (local.get $block)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $k (i32.load (i32.add (local.get $list) (i32.shl (local.get $idx) (i32.const 2)))))
        (br_if $done (i32.ge_s (local.get $k) (local.get $limit)))
        (local.set $wv (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $wrow) (i32.shl (local.get $k) (i32.const 2)))))))
        (local.set $xa (i32.add (local.get $xt64) (i32.shl (local.get $k) (i32.const 7))))
        (local.set $c0 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c0) (f64x2.mul (local.get $wv) (v128.load offset=0 (local.get $xa)))))))
        (local.set $c1 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c1) (f64x2.mul (local.get $wv) (v128.load offset=16 (local.get $xa)))))))
        (local.set $c2 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c2) (f64x2.mul (local.get $wv) (v128.load offset=32 (local.get $xa)))))))
        (local.set $c3 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c3) (f64x2.mul (local.get $wv) (v128.load offset=48 (local.get $xa)))))))
        (local.set $c4 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c4) (f64x2.mul (local.get $wv) (v128.load offset=64 (local.get $xa)))))))
        (local.set $c5 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c5) (f64x2.mul (local.get $wv) (v128.load offset=80 (local.get $xa)))))))
        (local.set $c6 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c6) (f64x2.mul (local.get $wv) (v128.load offset=96 (local.get $xa)))))))
        (local.set $c7 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.add (local.get $c7) (f64x2.mul (local.get $wv) (v128.load offset=112 (local.get $xa)))))))
        (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
        (br $next)))
    (i32.store (local.get $slot) (local.get $idx))
    (local.set $xa (i32.add (local.get $lb) (i32.shl (local.get $l) (i32.const 6))))
    ;; back to four f32x4 (exact: the pairs hold float32 values)
    (v128.store offset=0 (local.get $xa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (local.get $c0)) (f32x4.demote_f64x2_zero (local.get $c1))))
    (v128.store offset=16 (local.get $xa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (local.get $c2)) (f32x4.demote_f64x2_zero (local.get $c3))))
    (v128.store offset=32 (local.get $xa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (local.get $c4)) (f32x4.demote_f64x2_zero (local.get $c5))))
    (v128.store offset=48 (local.get $xa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (local.get $c6)) (f32x4.demote_f64x2_zero (local.get $c7)))))
)
