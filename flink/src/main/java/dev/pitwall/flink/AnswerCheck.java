package dev.pitwall.flink;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Is a model's answer fit to go on air? The rules of pitwall's own engine
 * (src/commentary/llm_check.c), ported: after trimming whitespace and one pair of enclosing
 * quotes, 8..100 characters on one line, no markup (* _ # ` < > [ ] { } | ~ \), links, emoji
 * or other symbols, no quotation marks; no driver name outside the race's vocabulary (a
 * built-in list of Formula 1 surnames, and any capitalised word inside a sentence that is
 * neither in the vocabulary nor a racing term); names one of the drivers the moment is
 * about; and states nothing but the facts it was given ({@link FactCheck}, pitwall's
 * llm_facts rules: drivers, places, laps, times and numbers). The vocabulary is what the SQL
 * passes (the words of the moment's drivers, teams and circuit), not the whole grid, and so
 * are the facts (the moment's driver with its places before and after, the lap, the
 * distance, the fastest lap's time).
 */
final class AnswerCheck {
    static final int MIN_CHARS = 8;
    static final int MAX_CHARS = 100;

    private static final Set<String> KNOWN_DRIVERS = lower(List.of(
            "Verstappen", "Perez", "Pérez", "Hamilton", "Russell", "Leclerc", "Sainz", "Norris",
            "Piastri", "Alonso", "Stroll", "Ocon", "Gasly", "Albon", "Sargeant", "Tsunoda",
            "Ricciardo", "Lawson", "Bottas", "Zhou", "Guanyu", "Magnussen", "Hulkenberg",
            "Hülkenberg", "Bearman", "Colapinto", "Antonelli", "Doohan", "Hadjar", "Bortoleto",
            "Lindblad", "Vettel", "Raikkonen", "Räikkönen", "Schumacher", "Latifi", "Mazepin",
            "Giovinazzi", "Kvyat", "Grosjean", "Button", "Massa", "Rosberg", "Senna", "Prost",
            "Lauda", "Webber", "Kubica", "Vandoorne", "Ericsson", "Hartley", "Wehrlein", "Nasr",
            "Maldonado", "Kimi", "Checo", "Mansell", "Villeneuve", "Coulthard", "Hakkinen",
            "Häkkinen", "Alesi", "Barrichello", "Fisichella", "Trulli", "Montoya", "Kovalainen",
            "Glock", "Sutil", "Vries", "Kobayashi", "Vergne", "Bianchi", "Chilton", "Fittipaldi"));
    private static final Set<String> COMMON_WORDS = Set.of(
            "Grand", "Prix", "Formula", "One", "Safety", "Car", "Virtual", "Lap", "Laps", "Turn",
            "Race", "Pole", "Podium", "Championship", "World", "Champion", "Team", "Pit", "Pits",
            "Lane", "Lights", "Green", "Red", "Flag", "Yellow", "Chequered", "Checkered", "Final",
            "Fastest", "Hard", "Hards", "Medium", "Mediums", "Soft", "Softs", "Intermediate",
            "Intermediates", "Inters", "Wet", "Wets", "The", "What", "And", "But", "Oh", "Wow",
            "Incredible", "Stewards", "Position", "Leader", "Sprint", "Qualifying");
    private static final String MARKUP = "*_#`<>[]{}|~\\";
    private static final Pattern WORD = Pattern.compile("\\p{L}+");

    private static Set<String> lower(List<String> words) {
        Set<String> s = new HashSet<>();
        for (String w : words) s.add(w.toLowerCase(Locale.ROOT));
        return s;
    }

    private AnswerCheck() {}

    /**
     * One of the capitalised words a commentator uses that are no name ("Red" of a red flag,
     * "Team", "Safety"): llm_check_racing_word. {@link FactCheck} does not take them for a team.
     */
    static boolean isRacingWord(String word) {
        return COMMON_WORDS.contains(word);
    }

    /** The line to put on air, or null when the answer fails a check. */
    static String check(String answer, FactCheck.Facts facts, List<String> about,
            String vocabulary) {
        if (answer == null) return null;
        String s = answer.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\""))
            s = s.substring(1, s.length() - 1).strip();
        else if (s.length() >= 2 && s.startsWith("\u201C") && s.endsWith("\u201D"))
            s = s.substring(1, s.length() - 1).strip();
        if (!charactersOk(s)) return null;
        int chars = s.codePointCount(0, s.length());
        if (chars < MIN_CHARS || chars > MAX_CHARS) return null;
        if (!namesOk(s, vocabulary)) return null;
        boolean onTopic = about.isEmpty();
        for (String name : about) onTopic |= mentions(s, name);
        if (!onTopic) return null;
        if (!FactCheck.check(s, facts).equals(FactCheck.OK)) return null;
        return s;
    }

    private static boolean charactersOk(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x20 || cp == 0x7f) return false; /* newlines too: one line */
            if (cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xAB
                    || cp == 0xBB) return false;
            if (cp < 0x80 && MARKUP.indexOf(cp) >= 0) return false;
            if (cp >= 0x2190) return false; /* arrows, symbols, emoji */
        }
        return !s.contains("http") && !s.contains("www.");
    }

    private static boolean namesOk(String s, String vocabulary) {
        Set<String> vocab = new HashSet<>();
        Matcher v = WORD.matcher(vocabulary == null ? "" : vocabulary);
        while (v.find()) vocab.add(v.group());
        boolean sentenceStart = true;
        int i = 0;
        Matcher m = WORD.matcher(s);
        while (m.find()) {
            for (; i < m.start(); i++) if (".!?:;".indexOf(s.charAt(i)) >= 0) sentenceStart = true;
            i = m.end();
            String word = m.group();
            boolean atStart = sentenceStart;
            sentenceStart = false;
            if (vocab.contains(word)) continue;
            if (KNOWN_DRIVERS.contains(word.toLowerCase(Locale.ROOT))) return false;
            boolean capital = word.charAt(0) >= 'A' && word.charAt(0) <= 'Z';
            boolean allCaps = word.equals(word.toUpperCase(Locale.ROOT));
            if (!capital || atStart || allCaps || word.length() < 2) continue;
            if (!isRacingWord(word)) return false;
        }
        return true;
    }

    private static boolean mentions(String s, String name) {
        if (name == null || name.isEmpty()) return false;
        for (int p = s.indexOf(name); p >= 0; p = s.indexOf(name, p + 1)) {
            boolean left = p == 0 || !Character.isLetter(s.charAt(p - 1));
            int e = p + name.length();
            boolean right = e >= s.length() || !Character.isLetter(s.charAt(e));
            if (left && right) return true;
        }
        return false;
    }
}
