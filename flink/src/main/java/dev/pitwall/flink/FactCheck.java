package dev.pitwall.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's line held to the facts it was given: pitwall's own check
 * (src/commentary/llm_facts.c), the same rules in Java. Every driver named must be one the
 * facts give (and a capitalised word straight before the name part of that driver's name);
 * a team named (a word of a driver's team name, not a racing word like the "Red" of "Red
 * flag", not a single letter) must be the nearest named driver's team, with no driver in the
 * sentence the team of a driver the facts give; a place ("P10", "10th", "tenth place", "position 10", "leads"/"wins" for P1) must be one of
 * the nearest named driver's places; a lap number the lap, the distance or the laps left; a
 * time a time of the facts, rounded or cut to the digits given; any other number one of the
 * facts' numbers. The verdicts are llm_check_name's: "ok", "unknown_name", "wrong_fact",
 * "numbers". tests/commentary/llm_facts_cases.json holds the cases both must agree on
 * (tests/flink/test_fact_check.py, tests/commentary/test_llm_check.c).
 *
 * <p>The reading is the C one, character for character: a letter is an ASCII letter or any
 * character past ASCII except the typographic apostrophe, which ends a word; at most 128
 * tokens are read. Pure functions.
 */
final class FactCheck {
    static final String OK = "ok";
    static final String UNKNOWN_NAME = "unknown_name";
    static final String WRONG_FACT = "wrong_fact";
    static final String NUMBERS = "numbers";

    private static final int MAX_TOKENS = 128;
    private static final int MAX_WORD = 32; /* LLM_WORD_MAX: no team word is longer */
    private static final char APOSTROPHE = '\u2019';

    /** One driver of the race as the facts know it. */
    static final class Driver {
        final String full; /* grid name: "Lando Norris" */
        final String name; /* as said on air: "Norris" */
        final String team; /* "McLaren", "" when not known */
        final boolean given; /* the prompt names this driver */
        final int[] places; /* places held before or after the event */
        final int now; /* place after the event, 0 when not known */

        Driver(String full, String name, String team, boolean given, int[] places, int now) {
            this.full = full;
            this.name = name;
            this.team = team;
            this.given = given;
            this.places = places;
            this.now = now;
        }
    }

    /** What the model was told. */
    static final class Facts {
        final List<Driver> drivers;
        final int lap, totalLaps, nAbout; /* 0 when not given */
        final long[] timesMs;

        Facts(List<Driver> drivers, int lap, int totalLaps, long[] timesMs, int nAbout) {
            this.drivers = drivers;
            this.lap = lap;
            this.totalLaps = totalLaps;
            this.timesMs = timesMs;
            this.nAbout = nAbout;
        }

        /**
         * {"lap","total_laps","n_about","times_ms":[..],"drivers":[{"full","name","team",
         * "given","places":[..],"now"}..]}: the case file's fact sets and what the SQL builds.
         */
        static Facts fromJson(JsonNode j) {
            List<Driver> drivers = new ArrayList<>();
            for (JsonNode d : j.path("drivers")) {
                JsonNode p = d.path("places");
                List<Integer> places = new ArrayList<>();
                for (JsonNode v : p) {
                    int place = v.asInt(0);
                    if (place >= 1 && !places.contains(place)) places.add(place);
                }
                drivers.add(new Driver(d.path("full").asText(""), d.path("name").asText(""),
                        d.path("team").asText(""), d.path("given").asBoolean(false),
                        places.stream().mapToInt(Integer::intValue).toArray(),
                        d.path("now").asInt(0)));
            }
            JsonNode t = j.path("times_ms");
            long[] times = new long[t.size()];
            for (int i = 0; i < times.length; i++) times[i] = t.get(i).asLong();
            return new Facts(drivers, j.path("lap").asInt(0), j.path("total_laps").asInt(0),
                    times, j.path("n_about").asInt(0));
        }
    }

    private enum Type { WORD, NUM, END }

    private static final class Tok {
        Type type;
        int s, n; /* start and length in the line */
        boolean joined; /* nothing between it and the previous token ("P" "10") */
        boolean spaced; /* only spaces between it and the previous token */
        int driver = -1;
        boolean team; /* words: a word of a team's name (teamWord) */
        long value; /* numbers: whole part; times: the time in ms */
        boolean isTime;
        long unitMs;
    }

    private static final Tok NONE = none();

    private static Tok none() {
        Tok t = new Tok();
        t.type = Type.END;
        return t;
    }

    private static final String[] NUMBER_WORDS = {"zero", "one", "two", "three", "four",
            "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
            "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
    private static final String[] ORDINAL_WORDS = {"zeroth", "first", "second", "third",
            "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
            "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
            "eighteenth", "nineteenth", "twentieth"};
    /* words that say a driver is in front: P1 */
    private static final String[] LEAD_WORDS = {"lead", "leads", "leading", "leader", "win",
            "wins", "won", "winner", "winning", "victory", "victor"};
    /* words that may stand capitalised before a driver's name without being a name */
    private static final String[] BEFORE_NAME_OK = {"And", "But", "The", "Oh", "Wow", "What",
            "Now", "So", "Yes", "Well", "Then", "As", "For", "Look", "Here", "There", "Go",
            "Watch", "Brilliant", "Great", "Incredible", "Superb", "Stunning", "Amazing",
            "Fantastic", "Unbelievable", "Poor", "Lucky", "It", "Meanwhile", "Behind", "Ahead",
            "Past"};
    private static final String[] TIME_UNITS = {"s", "sec", "secs", "second", "seconds"};

    private final String line;
    private final Facts f;
    private final List<Tok> t = new ArrayList<>();

    private FactCheck(String line, Facts f) {
        this.line = line;
        this.f = f;
    }

    /** The verdict on `line` against `facts` ("ok" or the failed rule). */
    static String check(String line, Facts facts) {
        FactCheck c = new FactCheck(line == null ? "" : line, facts);
        c.readTokens();
        return c.verdict();
    }

    private static boolean isLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    private boolean wordIs(Tok k, String w) {
        if (k.type != Type.WORD || k.n != w.length()) return false;
        for (int i = 0; i < k.n; i++)
            if (lowerAscii(line.charAt(k.s + i)) != lowerAscii(w.charAt(i))) return false;
        return true;
    }

    private int wordValue(Tok k, String[] list) {
        for (int i = 0; i < list.length; i++) if (wordIs(k, list[i])) return i;
        return -1;
    }

    private boolean wordIn(Tok k, String[] list) {
        return wordValue(k, list) >= 0;
    }

    private String text(Tok k) {
        return line.substring(k.s, k.s + k.n);
    }

    private Tok tokAt(int i) {
        return i >= 0 && i < t.size() ? t.get(i) : NONE;
    }

    /* digits with ':' or '.' between digit runs ("1:21.234", "0.9"): a time when it has them */
    private int readNumber(Tok k, int p) {
        int s = p;
        long whole = 0, minutes = 0, frac = 0;
        int decimals = -1;
        boolean colon = false;
        int len = line.length();
        for (;;) {
            while (p < len && isDigit(line.charAt(p))) {
                int d = line.charAt(p) - '0';
                if (decimals >= 0) {
                    if (decimals < 3) frac = frac * 10 + d;
                    decimals++;
                } else if (whole < 1000000) {
                    whole = whole * 10 + d;
                }
                p++;
            }
            boolean digitNext = p + 1 < len && isDigit(line.charAt(p + 1));
            if (p < len && line.charAt(p) == ':' && digitNext && !colon && decimals < 0) {
                colon = true;
                minutes = whole;
                whole = 0;
                p++;
            } else if (p < len && line.charAt(p) == '.' && digitNext && decimals < 0) {
                decimals = 0;
                p++;
            } else {
                break;
            }
        }
        k.s = s;
        k.n = p - s;
        k.isTime = colon || decimals >= 0;
        if (k.isTime) {
            int used = decimals > 3 ? 3 : (decimals < 0 ? 0 : decimals);
            for (int i = used; i < 3; i++) frac *= 10;
            k.value = (minutes * 60 + whole) * 1000 + frac;
            k.unitMs = used == 3 ? 1 : (used == 2 ? 10 : (used == 1 ? 100 : 1000));
        } else {
            k.value = whole;
        }
        return p;
    }

    private void readTokens() {
        int p = 0, prevEnd = 0, len = line.length();
        while (p < len && t.size() < MAX_TOKENS) {
            char c = line.charAt(p);
            Tok k = new Tok();
            if (isDigit(c)) {
                k.type = Type.NUM;
                p = readNumber(k, p);
            } else if (isLetter(c) && c != APOSTROPHE) {
                k.type = Type.WORD;
                k.s = p;
                while (p < len && isLetter(line.charAt(p)) && line.charAt(p) != APOSTROPHE) p++;
                k.n = p - k.s;
            } else if (".!?;".indexOf(c) >= 0) {
                k.type = Type.END;
                k.s = p++;
                k.n = 1;
            } else {
                p++;
                continue;
            }
            k.joined = k.s == prevEnd;
            k.spaced = true;
            for (int q = prevEnd; q < k.s; q++) k.spaced = k.spaced && line.charAt(q) == ' ';
            prevEnd = k.s + k.n;
            t.add(k);
        }
    }

    /* the words of `text` (letters only, the apostrophe counting as one here, as in C) */
    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int i = 0, len = text.length();
        while (i < len) {
            while (i < len && !isLetter(text.charAt(i))) i++;
            int s = i;
            while (i < len && isLetter(text.charAt(i))) i++;
            if (i > s) out.add(text.substring(s, i));
        }
        return out;
    }

    private static boolean textHasWord(String text, String w) {
        return words(text).contains(w);
    }

    /* the driver whose on-air name ends with this word, else whose first names include it */
    private int findDriver(Tok k) {
        String w = text(k);
        for (int i = 0; i < f.drivers.size(); i++) {
            List<String> ws = words(f.drivers.get(i).name);
            if (!ws.isEmpty() && ws.get(ws.size() - 1).equals(w)) return i;
        }
        for (int i = 0; i < f.drivers.size(); i++) {
            Driver d = f.drivers.get(i);
            if (textHasWord(d.full, w) && !textHasWord(d.name, w)) return i;
        }
        return -1;
    }

    /*
     * a word that names a team of the race: a word of a driver's team name, but no racing word
     * ("Red" of a red flag, "Team") and no single letter ("F" of "Haas F1 Team")
     */
    private boolean teamWord(Tok k) {
        if (k.n < 2 || k.n >= MAX_WORD) return false;
        String w = text(k);
        if (AnswerCheck.isRacingWord(w)) return false;
        for (Driver d : f.drivers) if (textHasWord(d.team, w)) return true;
        return false;
    }

    private static boolean hasPlace(Driver d, long place) {
        for (int p : d.places) if (p == place) return true;
        return false;
    }

    private boolean anyPlace(long place) {
        for (Driver d : f.drivers) if (d.given && hasPlace(d, place)) return true;
        return false;
    }

    private boolean isLapFact(long v) {
        if (v < 1) return false;
        if (v == f.totalLaps) return true;
        return f.lap > 0 && (v == f.lap || v == f.totalLaps - f.lap || v == f.totalLaps - f.lap + 1);
    }

    private String checkTime(long ms, long unitMs) {
        for (long x : f.timesMs) {
            long cut = x - x % unitMs;
            long rounded = (x + unitMs / 2) - (x + unitMs / 2) % unitMs;
            if (ms == cut || ms == rounded) return OK;
        }
        return WRONG_FACT;
    }

    /* the nearest driver named before token k in its sentence, else after it; -1 if none */
    private int nearestDriver(int k) {
        for (int i = k - 1; i >= 0 && t.get(i).type != Type.END; i--)
            if (t.get(i).driver >= 0) return t.get(i).driver;
        for (int i = k + 1; i < t.size() && t.get(i).type != Type.END; i++)
            if (t.get(i).driver >= 0) return t.get(i).driver;
        return -1;
    }

    private String checkPlace(int k, long place) {
        int d = nearestDriver(k);
        boolean ok = d >= 0 ? hasPlace(f.drivers.get(d), place) : anyPlace(place);
        return ok ? OK : WRONG_FACT;
    }

    /* a team named: the nearest driver's team (no driver: the team of a driver the facts give) */
    private String checkTeam(int k) {
        String w = text(t.get(k));
        int d = nearestDriver(k);
        if (d >= 0) return textHasWord(f.drivers.get(d).team, w) ? OK : WRONG_FACT;
        for (Driver x : f.drivers) if (x.given && textHasWord(x.team, w)) return OK;
        return WRONG_FACT;
    }

    /* "leads", "wins": the nearest driver is P1 now (no driver: someone is) */
    private String checkLeader(int k) {
        int d = nearestDriver(k);
        return d < 0 || f.drivers.get(d).now == 1 ? OK : WRONG_FACT;
    }

    private enum Claim { NUMBER, PLACE, LAP }

    private int skip;

    private Claim numberClaim(int k) {
        Tok prev = tokAt(k - 1), next = tokAt(k + 1), after = tokAt(k + 2);
        skip = 0;
        if (t.get(k).type == Type.NUM && next.joined && (wordIs(next, "st") || wordIs(next, "nd")
                || wordIs(next, "rd") || wordIs(next, "th"))) {
            skip = 1;
            return wordIs(after, "lap") ? Claim.LAP : Claim.PLACE;
        }
        if (wordIs(prev, "P") && (prev.spaced || t.get(k).joined)) return Claim.PLACE;
        if (wordIs(prev, "position") || wordIs(prev, "place") || wordIs(prev, "positions"))
            return Claim.PLACE;
        if (wordIs(prev, "lap") || wordIs(prev, "laps") || wordIs(next, "lap")
                || wordIs(next, "laps") || (wordIs(next, "to") && wordIs(after, "go")))
            return Claim.LAP;
        return Claim.NUMBER;
    }

    private boolean isFactNumber(long v) {
        return anyPlace(v) || isLapFact(v) || (f.nAbout > 0 && v == f.nAbout);
    }

    private String checkNumber(int k, long v) {
        switch (numberClaim(k)) {
            case PLACE:
                return checkPlace(k, v);
            case LAP:
                return isLapFact(v) ? OK : WRONG_FACT;
            default:
                return isFactNumber(v) ? OK : NUMBERS;
        }
    }

    private String checkNames() {
        for (int i = 0; i < t.size(); i++) {
            Tok k = t.get(i);
            char c0 = k.type == Type.WORD ? line.charAt(k.s) : 0;
            if (k.type != Type.WORD || c0 < 'A' || c0 > 'Z') continue;
            k.driver = findDriver(k);
            if (k.driver < 0) {
                k.team = teamWord(k);
                continue;
            }
            Driver d = f.drivers.get(k.driver);
            if (!d.given) return UNKNOWN_NAME;
            /* "Ronel Norris": a capitalised word before the name must be part of it */
            Tok prev = tokAt(i - 1);
            if (i > 0 && prev.type == Type.WORD && k.spaced && line.charAt(prev.s) >= 'A'
                    && line.charAt(prev.s) <= 'Z' && !textHasWord(d.full, text(prev))
                    && !wordIn(prev, BEFORE_NAME_OK))
                return UNKNOWN_NAME;
        }
        return OK;
    }

    private String verdict() {
        String res = checkNames();
        for (int k = 0; k < t.size() && res.equals(OK); k++) {
            Tok tk = t.get(k);
            skip = 0;
            if (tk.type == Type.NUM) {
                if (tk.isTime || wordIn(tokAt(k + 1), TIME_UNITS))
                    res = checkTime(tk.isTime ? tk.value : tk.value * 1000,
                            tk.isTime ? tk.unitMs : 1000);
                else
                    res = checkNumber(k, tk.value);
            } else if (tk.type == Type.WORD) {
                int v = wordValue(tk, NUMBER_WORDS), o = wordValue(tk, ORDINAL_WORDS);
                Tok next = tokAt(k + 1), prev = tokAt(k - 1);
                if (v >= 0 && wordIn(next, TIME_UNITS))
                    res = checkTime(v * 1000L, 1000);
                else if (v >= 0)
                    res = checkNumber(k, v);
                else if (o >= 0 && (wordIs(next, "place") || wordIs(next, "position")
                        || wordIs(prev, "in") || wordIs(prev, "into")))
                    res = checkPlace(k, o);
                else if (o >= 0 && wordIs(next, "lap"))
                    res = isLapFact(o) ? OK : WRONG_FACT;
                else if (wordIn(tk, LEAD_WORDS))
                    res = checkLeader(k);
                else if (tk.team)
                    res = checkTeam(k);
            }
            k += skip;
        }
        return res;
    }
}
