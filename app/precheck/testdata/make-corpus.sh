#!/usr/bin/env bash
# Builds the labelled quiet-room corpus used by app/precheck's tests:
# 10 s, 48 kHz mono 16-bit WAVs of rooms an agent may sit in while the check
# listens. Generated, never committed (privacy: no real recordings).
# Usage: make-corpus.sh OUTDIR      (needs sox and espeak-ng)
# The expected verdict of each case is in corpus.tsv next to this script.
set -euo pipefail
out=${1:?usage: make-corpus.sh OUTDIR}
mkdir -p "$out"
cd "$out"
D=10
fmt=(-r 48000 -c 1 -b 16)
# -R: repeatable noise, so every run makes the same corpus; -D: no dither,
# so digital silence stays exactly zero.
sx() { sox -R -D -V1 "$@"; }

# Components ---------------------------------------------------------------
# Quiet room: microphone self-noise plus a faint room tone.
sx -n "${fmt[@]}" bg.wav synth $D pinknoise vol -62dB
# Fan: low-passed pink noise (broadband, steady).
sx -n "${fmt[@]}" fan.wav synth $D pinknoise lowpass 3000 highpass 40
say() { # say VOICE PITCH AMPLITUDE FILE TEXT
  espeak-ng -v "$1" -p "$2" -a "$3" -s 150 -w "$4.22k.wav" "$5"
  sx "$4.22k.wav" "${fmt[@]}" "$4" rate 48000
  rm -f "$4.22k.wav"
}
say en-us 45 100 tv_en_raw.wav "Good evening, here is the news. The weather tomorrow will be mild with some rain in the north. In sport, the home team won again on Saturday, and the coach said he was proud of his players."
say fr 60 100 tv_fr_raw.wav "Bonsoir, voici les informations. Demain le temps sera doux avec un peu de pluie dans le nord. Le match de samedi a été gagné par l'équipe locale."
say en-gb+f3 80 200 shout_raw.wav "Mum! Mum! Where are you? Come here now!"
# TV through a door: band-limited, some room reverberation, looped to 10 s.
sx tv_en_raw.wav tv_en.wav sinc 150-6000 reverb 40 pad 0 $D trim 0 $D
sx tv_fr_raw.wav tv_fr.wav sinc 150-6000 reverb 40 pad 0 $D trim 0 $D
sx shout_raw.wav shout.wav pad 2 0 pad 0 $D trim 0 $D
# Keyboard: words of six 4 ms clicks at 8 per second, then a 0.8 s pause.
sx -n "${fmt[@]}" click.wav synth 0.004 whitenoise fade 0 0.004 0.003 pad 0 0.121
sx click.wav word.wav repeat 5 pad 0 0.8
sx word.wav keys.wav repeat 8 pad 0 $D trim 0 $D
# Door slam: one short loud low thump at 4 s.
sx -n "${fmt[@]}" slam1.wav synth 0.35 brownnoise fade 0 0.35 0.3 pad 4 0
sx slam1.wav slam.wav pad 0 $D trim 0 $D
# Dog: 0.25 s barks (buzzy 450 Hz sawtooth, noisy), five of them.
sx -n "${fmt[@]}" bark1.wav synth 0.25 sawtooth 450 tremolo 35 90 fade 0.01 0.25 0.1 pad 0 0.95
sx bark1.wav dogs.wav repeat 4 pad 3 0 pad 0 $D trim 0 $D

# Held-out components (added after tuning, never used to tune) -------------
say de 50 100 tv_de_raw.wav "Guten Abend, hier sind die Nachrichten. Morgen wird es im Norden regnerisch, im Süden bleibt es sonnig und warm. Die Mannschaft hat am Samstag knapp gewonnen."
sx tv_de_raw.wav tv_de.wav sinc 200-5000 reverb 60 pad 0 $D trim 0 $D
say en-us+m3 35 100 talk_a_raw.wav "Did you see the match yesterday? I could not believe the last goal."
say en-gb+f4 70 100 talk_b_raw.wav "No, I missed it, I was at work until late. Tell me everything."
sx talk_a_raw.wav talk_b_raw.wav talk_ab.wav
sx talk_ab.wav talk.wav reverb 50 pad 1 0 pad 0 $D trim 0 $D
sx -n "${fmt[@]}" note.wav synth 0.4 pluck C4 synth 0.4 pluck E4 synth 0.4 pluck G4 synth 0.4 pluck C5
sx note.wav music.wav repeat 24 pad 0 $D trim 0 $D
sx -n "${fmt[@]}" hum.wav synth $D sine 100 sine 200 sine 300 remix - vol 0.3
sx -n "${fmt[@]}" click2.wav synth 0.004 whitenoise fade 0 0.004 0.003 pad 0 0.096
sx click2.wav keysfast.wav repeat 99 pad 0 $D trim 0 $D

# Cases: mix components at set gains (dB relative to each component) ------
mix() { # mix OUT (FILE GAIN_DB)...
  local o=$1; shift
  local args=()
  while [ $# -gt 0 ]; do args+=(-v "$(awk "BEGIN{print 10^($2/20)}")" "$1"); shift 2; done
  sx -m "${args[@]}" "${fmt[@]}" "$o" trim 0 $D
}
mix quiet.wav bg.wav 0 bg.wav -100
mix fan_low.wav bg.wav 0 fan.wav -50
mix fan_mid.wav bg.wav 0 fan.wav -35
mix fan_high.wav bg.wav 0 fan.wav -25
mix tv_near.wav bg.wav 0 tv_en.wav -30
mix tv_far.wav bg.wav 0 tv_en.wav -48
mix tv_fr_fan.wav bg.wav 0 fan.wav -50 tv_fr.wav -40
mix shouting.wav bg.wav 0 shout.wav -12
mix keyboard.wav bg.wav 0 keys.wav -30
mix door_slam.wav bg.wav 0 slam.wav -14
mix dog.wav bg.wav 0 dogs.wav -26
mix fan_tv.wav bg.wav 0 fan.wav -35 tv_en.wav -30
sx -n "${fmt[@]}" dead_mic.wav trim 0 $D
mix heldout_tv_de.wav bg.wav 0 tv_de.wav -38
mix heldout_two_voices.wav bg.wav 0 talk.wav -45
mix heldout_music.wav bg.wav 0 music.wav -45
mix heldout_fan_vlow.wav bg.wav 0 fan.wav -58
mix heldout_hum.wav bg.wav 0 hum.wav -50
mix heldout_keys_fast.wav bg.wav 0 keysfast.wav -35
rm -f ./*_raw.wav click.wav click2.wav word.wav slam1.wav bark1.wav note.wav talk_ab.wav
