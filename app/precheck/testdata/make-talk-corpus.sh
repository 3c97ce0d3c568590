#!/usr/bin/env bash
# Builds the dry material of the close-talk corpus used by app/precheck's
# tests: sentences an agent reads during the check (espeak-ng, several voices
# and languages, no room), and noise beds. talkcorpus_test.go places each
# sentence in synthetic rooms at a distance from the microphone (its own
# seeded impulse responses, convolved with sox) and adds the noise.
# Generated, never committed. Usage: make-talk-corpus.sh OUTDIR (sox, espeak-ng)
set -euo pipefail
out=${1:?usage: make-talk-corpus.sh OUTDIR}
mkdir -p "$out"
cd "$out"
fmt=(-r 48000 -c 1 -b 16)
sx() { sox -R -D -V1 "$@"; }
# say N VOICE PITCH SPEED TEXT: dry_N.wav, 4.5 s (0.3 s before the voice).
say() {
  espeak-ng -v "$2" -p "$3" -s "$4" -w "dry_$1.22k.wav" "$5"
  sx "dry_$1.22k.wav" "${fmt[@]}" "dry_$1.wav" rate 48000 norm -3 pad 0.3 0 pad 0 4.5 trim 0 4.5
  rm -f "dry_$1.22k.wav"
}
# Tuning sentences.
say 0 en-us 50 160 "Thank you for calling, my name is Alex. How can I help you today?"
say 1 en-gb+f3 65 150 "Good afternoon, you are through to customer service. May I have your account number?"
say 2 fr+m2 45 150 "Bonjour, merci de votre appel. Je vais vérifier votre dossier tout de suite."
say 3 fr+f2 70 145 "Je comprends tout à fait, je transmets votre demande au service technique."
say 4 de+m3 40 155 "Guten Tag, vielen Dank für Ihren Anruf. Wie kann ich Ihnen helfen?"
say 5 en-us+f4 80 170 "Let me just confirm your address and the date of your last order, please."
# Held-out sentences: other voices, never used to tune.
say 6 en-gb+m4 35 140 "I am sorry for the wait. Your parcel left our warehouse this morning."
say 7 fr+f4 75 165 "Pouvez-vous me donner votre numéro de client, s'il vous plaît ?"
say 8 es+m1 50 150 "Buenos días, gracias por llamar. ¿En qué puedo ayudarle hoy?"
say 9 en-us+f2 60 180 "Your refund has been approved and will reach your card within five days."
# Noise beds, 6 s: a quiet room (pink), a fan (low-passed pink), microphone self-noise (white).
sx -n "${fmt[@]}" noise_room.wav synth 6 pinknoise norm -20
sx -n "${fmt[@]}" noise_fan.wav synth 6 pinknoise lowpass 1500 highpass 60 norm -20
sx -n "${fmt[@]}" noise_self.wav synth 6 whitenoise highpass 50 norm -20
