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

# Cause components (second batch: tuning set for naming causes) -----------
# A bark: a falling sawtooth (the voiced part) with a band of noise, sharp
# onset, 0.1-0.2 s. bark FILE SECONDS F0START F0END NOISE_DB
bark() {
  sx -n "${fmt[@]}" "$1.v.wav" synth "$2" sawtooth "$3:$4" lowpass 3000 fade 0.004 "$2" 0.07
  sx -n "${fmt[@]}" "$1.n.wav" synth "$2" whitenoise bandpass 1400 1.0 fade 0.002 "$2" 0.09 vol "$5"dB
  sx -m "$1.v.wav" "$1.n.wav" "$1" norm -3
  rm -f "$1.v.wav" "$1.n.wav"
}
# Rapid "woof-woof-woof" bouts: three 0.15 s barks 0.35 s apart, every 2.5 s.
bark bk_mid.wav 0.15 540 380 -8
sx bk_mid.wav bk_mid_p.wav pad 0 0.2
sx bk_mid_p.wav bout.wav repeat 2 pad 0 1.45
sx bout.wav dogs_rapid.wav repeat 3 pad 1 0 pad 0 $D trim 0 $D
# A big dog: four 0.22 s low barks 0.8 s apart.
bark bk_big.wav 0.22 300 220 -4
sx bk_big.wav bk_big_p.wav pad 0 0.58
sx bk_big_p.wav dogs_big.wav repeat 3 pad 2 0 pad 0 $D trim 0 $D
# Knocking at a door: three dull knocks, twice.
sx -n "${fmt[@]}" knock1.wav synth 0.04 brownnoise lowpass 900 fade 0.001 0.04 0.035 pad 0 0.16
sx knock1.wav knocks3.wav repeat 2 pad 0 3
sx knocks3.wav knock.wav repeat 1 pad 1.5 0 pad 0 $D trim 0 $D
# Pop music: a chord pad changing every 2 s, a bass line and a drum beat.
chord() { sx -n -r 48000 -c 3 -b 16 "$1.3.wav" synth 2 sawtooth "$2" sawtooth "$3" sawtooth "$4"; sx "$1.3.wav" "${fmt[@]}" "$1" remix - lowpass 2500 vol 0.3 fade 0.02 2 0.05; rm -f "$1.3.wav"; }
chord c1.wav 261.6 329.6 392.0; chord c2.wav 220.0 261.6 329.6; chord c3.wav 174.6 220.0 261.6; chord c4.wav 196.0 246.9 293.7
sx c1.wav c2.wav c3.wav c4.wav c1.wav chords.wav
sx -n "${fmt[@]}" kick.wav synth 0.12 sine 90:45 fade 0 0.12 0.1 pad 0 0.38
sx kick.wav drums.wav repeat 19 trim 0 $D
sx -n "${fmt[@]}" bass1.wav synth 0.5 square 65.4 lowpass 400 vol 0.4 fade 0.01 0.5 0.05
sx -n "${fmt[@]}" bass2.wav synth 0.5 square 98.0 lowpass 400 vol 0.4 fade 0.01 0.5 0.05
sx bass1.wav bass2.wav bass12.wav
sx bass12.wav bass.wav repeat 9 trim 0 $D
sx -m chords.wav drums.wav bass.wav music_pop.wav trim 0 $D
# Piano-like melody with changing notes.
note() { sx -n "${fmt[@]}" "$1" synth "$2" pluck "$3"; }
note n1.wav 0.3 E4; note n2.wav 0.3 G4; note n3.wav 0.6 A4; note n4.wav 0.3 B4; note n5.wav 0.3 D5; note n6.wav 0.6 C5; note n7.wav 0.3 A4; note n8.wav 0.3 F4
sx n1.wav n2.wav n3.wav n4.wav n5.wav n6.wav n7.wav n8.wav melody.wav
sx melody.wav music_melody.wav repeat 4 pad 0 $D trim 0 $D
# Children talking: high voices.
say en-us+f5 99 100 kids_raw.wav "Look at this, look! Can I have a biscuit? No, it is my turn now, give it back to me!"
sx kids_raw.wav kids.wav reverb 30 pad 0.5 0 pad 0 $D trim 0 $D
# Vacuum cleaner: loud broadband noise with a motor whine.
sx -n "${fmt[@]}" vac_n.wav synth $D pinknoise highpass 200
sx -n "${fmt[@]}" vac_w.wav synth $D sine 1180 vol 0.1
sx -m vac_n.wav vac_w.wav vacuum.wav
# Traffic: low rumble that swells and fades.
sx -n "${fmt[@]}" traffic.wav synth $D brownnoise lowpass 600 tremolo 0.15 60
# A broken input: a square wave stuck at the rails.
sx -n "${fmt[@]}" rail.wav synth $D square 50

# Held-out cause components (labelled before their first run, never tuned on)
bark bk_small.wav 0.1 760 600 -10
sx bk_small.wav bk_small_p.wav pad 0 0.12
sx bk_small_p.wav yap_bout.wav repeat 3 pad 0 2.2
sx yap_bout.wav dogs_small.wav repeat 2 pad 0.6 0 pad 0 $D trim 0 $D
bark bk_single.wav 0.25 340 250 -5
sx bk_single.wav dog_twice.wav pad 2.5 3.5 repeat 1 pad 0 $D trim 0 $D
padchord() { sx -n -r 48000 -c 3 -b 16 "$1.3.wav" synth 1.5 sine "$2" sine "$3" sine "$4"; sx "$1.3.wav" "${fmt[@]}" "$1" remix - vol 0.3 fade 0.2 1.5 0.2; rm -f "$1.3.wav"; }
padchord p1.wav 261.6 329.6 392.0; padchord p2.wav 293.7 349.2 440.0; padchord p3.wav 246.9 311.1 370.0; padchord p4.wav 220.0 277.2 329.6
sx p1.wav p2.wav p3.wav p4.wav p1.wav p2.wav p3.wav strings.wav trim 0 $D pad 0 $D trim 0 $D
strum() { sx -n -r 48000 -c 3 -b 16 "$1.3.wav" synth 0.5 pluck "$2" pluck "$3" pluck "$4"; sx "$1.3.wav" "${fmt[@]}" "$1" remix - vol 0.5; rm -f "$1.3.wav"; }
strum s1.wav G3 B3 D4; strum s2.wav C4 E4 G4; strum s3.wav D4 F#4 A4; strum s4.wav E3 G3 B3
sx s1.wav s1.wav s2.wav s2.wav s3.wav s3.wav s4.wav s4.wav guitar_seq.wav
sx guitar_seq.wav guitar.wav repeat 3 pad 0 $D trim 0 $D
say fr+m3 55 100 radio_fr_raw.wav "Il est huit heures, voici le journal. Le gouvernement a présenté ce matin son projet de budget, et les syndicats appellent à la grève jeudi."
sx radio_fr_raw.wav radio_fr.wav sinc 300-3400 pad 0.3 0 pad 0 $D trim 0 $D
sx -n "${fmt[@]}" ac_n.wav synth $D pinknoise lowpass 2000
sx -n "${fmt[@]}" ac_h.wav synth $D sine 50 sine 100 remix - vol 0.5
sx -m ac_n.wav ac_h.wav aircon.wav
sx knock1.wav knocks3b.wav repeat 2 pad 0 5
sx knocks3b.wav slam1.wav door_knock.wav pad 1 0 pad 0 $D trim 0 $D
sx -n "${fmt[@]}" rail2.wav synth $D square 1000

# Blind cause components: labelled in corpus.tsv before their first run and
# never looked at while tuning (the "heldout_" cause cases above were seen).
bark bk_bout.wav 0.18 450 330 -6
sx bk_bout.wav bk_bout_p.wav pad 0 0.25
sx bk_bout_p.wav bout2.wav repeat 1 pad 0 2.4
sx bout2.wav dog_bouts.wav repeat 2 pad 0.4 0 pad 0 $D trim 0 $D
bark bk_yelp.wav 0.12 900 700 -12
sx bk_yelp.wav bk_yelp_p.wav pad 0 2.1
sx bk_yelp_p.wav yelps.wav repeat 3 pad 0.7 0 pad 0 $D trim 0 $D
organ() { sx -n -r 48000 -c 3 -b 16 "$1.3.wav" synth 1 square "$2" square "$3" square "$4"; sx "$1.3.wav" "${fmt[@]}" "$1" remix - lowpass 1800 vol 0.25 fade 0.03 1 0.05; rm -f "$1.3.wav"; }
organ o1.wav 196.0 246.9 293.7; organ o2.wav 220.0 261.6 329.6; organ o3.wav 174.6 220.0 261.6; organ o4.wav 261.6 329.6 392.0
sx o1.wav o2.wav o3.wav o4.wav o1.wav o2.wav o3.wav o4.wav o1.wav o2.wav organ.wav
arp() { sx -n "${fmt[@]}" "$1" synth 0.15 sine "$2" vol 0.4 fade 0.01 0.15 0.03; }
arp a1.wav 523.3; arp a2.wav 659.3; arp a3.wav 784.0; arp a4.wav 1046.5; arp a5.wav 440.0; arp a6.wav 554.4; arp a7.wav 659.3; arp a8.wav 880.0
sx a1.wav a2.wav a3.wav a4.wav a5.wav a6.wav a7.wav a8.wav arp_seq.wav
sx arp_seq.wav arpeggio.wav repeat 9 trim 0 $D
say en-us+f2 65 100 tv_f_raw.wav "Welcome back. Our top story tonight: the city council has approved the new bridge, and work will start in the spring. Traffic will be diverted for six months."
sx tv_f_raw.wav tv_f.wav sinc 180-5500 reverb 45 pad 0.4 0 pad 0 $D trim 0 $D
say en+m1 40 180 arg_a_raw.wav "I told you already, I am not going!"
say en+f4 75 180 arg_b_raw.wav "You never listen to me, that is the problem!"
sx arg_a_raw.wav arg_b_raw.wav arg_a_raw.wav argue_ab.wav
sx argue_ab.wav argue.wav reverb 35 pad 0.8 0 pad 0 $D trim 0 $D
sx -n "${fmt[@]}" fr_h.wav synth $D sine 100 sine 200 sine 300 remix - vol 0.4
sx -n "${fmt[@]}" fr_n.wav synth $D pinknoise lowpass 800 vol 0.05
sx -m fr_h.wav fr_n.wav fridge.wav
sx -n "${fmt[@]}" step1.wav synth 0.06 brownnoise lowpass 400 fade 0.002 0.06 0.05 pad 0 0.44
sx step1.wav steps.wav repeat 5 pad 0.5 0
sx steps.wav slam1.wav steps_door.wav pad 0 $D trim 0 $D
sx -n "${fmt[@]}" dc_only.wav synth $D sine 0 dcshift 0.2

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
mix tune_dogs_rapid.wav bg.wav 0 dogs_rapid.wav -22
mix tune_dogs_big.wav bg.wav 0 dogs_big.wav -24
mix tune_knock.wav bg.wav 0 knock.wav -2
mix tune_music_pop.wav bg.wav 0 music_pop.wav -36
mix tune_music_melody.wav bg.wav 0 music_melody.wav -36
mix tune_kids.wav bg.wav 0 kids.wav -28
mix tune_vacuum.wav bg.wav 0 vacuum.wav -30
mix tune_traffic.wav bg.wav 0 traffic.wav -20
sx rail.wav tune_rail.wav
mix heldout_dogs_small.wav bg.wav 0 dogs_small.wav -24
mix heldout_dog_twice.wav bg.wav 0 dog_twice.wav -22
mix heldout_music_strings.wav bg.wav 0 strings.wav -38
mix heldout_music_guitar.wav bg.wav 0 guitar.wav -38
mix heldout_radio_fr.wav bg.wav 0 radio_fr.wav -36
mix heldout_aircon.wav bg.wav 0 aircon.wav -36
mix heldout_door_knock.wav bg.wav 0 door_knock.wav -14
sx rail2.wav heldout_rail.wav
mix blind_dog_bouts.wav bg.wav 0 dog_bouts.wav -24
mix blind_yelps.wav bg.wav 0 yelps.wav -26
mix blind_music_organ.wav bg.wav 0 organ.wav -40
mix blind_music_arpeggio.wav bg.wav 0 arpeggio.wav -40
mix blind_tv_female.wav bg.wav 0 tv_f.wav -40
mix blind_argument.wav bg.wav 0 argue.wav -34
mix blind_fridge.wav bg.wav 0 fridge.wav -40
mix blind_steps_door.wav bg.wav 0 steps_door.wav -16
mix blind_fan_tv_quiet.wav bg.wav 0 fan.wav -52 tv_f.wav -46
sx dc_only.wav blind_stuck_dc.wav
rm -f ./*_raw.wav click.wav click2.wav word.wav slam1.wav bark1.wav note.wav talk_ab.wav bk_*.wav bout.wav yap_bout.wav \
  knock1.wav knocks3.wav knocks3b.wav c?.wav kick.wav bass*.wav n?.wav p?.wav s?.wav guitar_seq.wav vac_?.wav ac_?.wav \
  o?.wav a?.wav arp_seq.wav bout2.wav argue_ab.wav fr_?.wav step1.wav steps.wav
