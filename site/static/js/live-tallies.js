/*
 * Live reaction tallies (docs/realtime.md).
 *
 * Enhances pages that already work without JavaScript:
 * - reaction forms ([data-reaction-form]) post with fetch and update in place;
 * - counts ([data-tally-target][data-tally-scope] containing [data-count]) follow
 *   the paper's websocket, which sends a complete snapshot on connect and
 *   coalesced, versioned updates after that;
 * - changes made by others are announced through one polite live region, at
 *   most once every few seconds.
 * The database is the source of truth: after a reconnect, an epoch change or a
 * gap in versions, the page resyncs from a snapshot.
 */
(function () {
    "use strict";

    var SCHEMA = 1;
    var ANNOUNCE_EVERY_MS = 5000;
    var GAP_WAIT_MS = 2000;
    var BACKOFF_MIN_MS = 1000;
    var BACKOFF_MAX_MS = 30000;

    var root = document.querySelector("[data-live-tallies]");
    var statusEl = root && root.querySelector("[data-live-status]");
    var region = root && root.querySelector("[data-live-region]");

    // ------------------------------------------------------------ state

    var epoch = null;
    var versions = new Map(); // target key -> version of the data shown
    var lastVersion = 0; // highest update version seen in this epoch
    var missing = new Set();
    var gapTimer = null;

    function zeros(counts) {
        var out = {};
        Object.keys(counts).forEach(function (choice) { out[choice] = 0; });
        return out;
    }

    function countsFor(tally, scope) {
        if (scope === "all") return tally.counts;
        if (scope === "members") return tally.members;
        if (scope === "public") return tally.public;
        if (scope.indexOf("group:") === 0) {
            return tally.by_group[scope.slice(6)] || zeros(tally.counts);
        }
        return null;
    }

    function elementsFor(key) {
        return document.querySelectorAll('[data-tally-target="' + CSS.escape(key) + '"][data-tally-scope]');
    }

    /* Write a tally into every place the page shows it. Returns whether anything changed. */
    function render(tally) {
        var changed = false;
        elementsFor(tally.target).forEach(function (el) {
            var counts = countsFor(tally, el.getAttribute("data-tally-scope"));
            if (!counts) return;
            el.querySelectorAll("[data-count]").forEach(function (countEl) {
                var value = String(counts[countEl.getAttribute("data-count")] || 0);
                if (countEl.textContent !== value) {
                    countEl.textContent = value;
                    changed = true;
                }
            });
        });
        return changed;
    }

    function emptyTally(key) {
        var counts = {};
        var el = elementsFor(key)[0];
        if (el) {
            el.querySelectorAll("[data-count]").forEach(function (countEl) {
                counts[countEl.getAttribute("data-count")] = 0;
            });
        }
        return { target: key, counts: counts, total: 0, members: zeros(counts), public: zeros(counts), by_group: {} };
    }

    /* A snapshot is complete and as new as its version: apply it unless the page already shows newer data. */
    function applySnapshot(snapshot) {
        if (snapshot.epoch !== epoch) {
            epoch = snapshot.epoch;
            versions.clear();
            lastVersion = 0;
        }
        lastVersion = Math.max(lastVersion, snapshot.version);
        missing.clear();
        var listed = new Set();
        snapshot.tallies.forEach(function (tally) {
            listed.add(tally.target);
            applyIfNewer(tally, snapshot.version, true);
        });
        // Targets on the page that the snapshot does not list have no reactions.
        document.querySelectorAll("[data-tally-target][data-tally-scope]").forEach(function (el) {
            var key = el.getAttribute("data-tally-target");
            if (!listed.has(key)) {
                listed.add(key);
                applyIfNewer(emptyTally(key), snapshot.version, true);
            }
        });
    }

    function applyIfNewer(tally, version, inclusive) {
        var shown = versions.get(tally.target) || 0;
        if (version < shown || (!inclusive && version === shown)) return false;
        versions.set(tally.target, version);
        return render(tally);
    }

    function applyUpdate(message) {
        if (message.epoch !== epoch) {
            resync();
            return;
        }
        if (message.version > lastVersion + 1) {
            for (var v = Math.max(lastVersion + 1, message.version - 50); v < message.version; v++) missing.add(v);
            if (!gapTimer) gapTimer = setTimeout(checkGaps, GAP_WAIT_MS + Math.random() * 1000);
        }
        missing.delete(message.version);
        lastVersion = Math.max(lastVersion, message.version);
        message.tallies.forEach(function (tally) {
            if (applyIfNewer(tally, message.version, false)) announce(tally);
        });
    }

    /* Updates from several server processes may arrive out of order; only a gap that stays open means loss. */
    function checkGaps() {
        gapTimer = null;
        if (missing.size) resync();
    }

    function resync() {
        if (!root) return;
        fetch(root.getAttribute("data-snapshot-url"), {
            headers: { Accept: "application/json" },
            credentials: "same-origin",
        })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (snapshot) { if (snapshot && snapshot.schema === SCHEMA) applySnapshot(snapshot); })
            .catch(function () { /* the next reconnect resyncs */ });
    }

    // ------------------------------------------------------------ announcements

    var pending = new Map();
    var lastAnnounced = 0;
    var announceTimer = null;

    function labelFor(key) {
        var el = document.querySelector('[data-tally-label][data-tally-target="' + CSS.escape(key) + '"]');
        return el ? el.getAttribute("data-tally-label") : null;
    }

    function describe(counts) {
        return Object.keys(counts).map(function (choice) { return counts[choice] + " " + choice; }).join(", ");
    }

    function say(text) {
        if (!region) return;
        // Clearing first makes a repeated sentence count as a change.
        region.textContent = "";
        setTimeout(function () { region.textContent = text; }, 50);
    }

    function announce(tally) {
        var label = labelFor(tally.target);
        if (!label) return;
        pending.set(tally.target, label + " now has " + describe(tally.counts) + ".");
        if (announceTimer) return;
        var wait = Math.max(0, lastAnnounced + ANNOUNCE_EVERY_MS - Date.now());
        announceTimer = setTimeout(flushAnnouncements, wait);
    }

    function flushAnnouncements() {
        announceTimer = null;
        if (!pending.size) return;
        var sentences = Array.from(pending.values());
        pending.clear();
        var text = "Reactions updated. " + sentences.slice(0, 3).join(" ");
        if (sentences.length > 3) text += " And " + (sentences.length - 3) + " more.";
        lastAnnounced = Date.now();
        say(text);
    }

    // ------------------------------------------------------------ websocket

    var socket = null;
    var attempts = 0;
    var retryTimer = null;

    function setStatus(text) {
        if (statusEl) statusEl.textContent = text;
    }

    function connect() {
        if (!root || !("WebSocket" in window)) return;
        if (socket && socket.readyState <= 1) return;
        clearTimeout(retryTimer);
        var scheme = location.protocol === "https:" ? "wss://" : "ws://";
        socket = new WebSocket(scheme + location.host + root.getAttribute("data-ws-path"));
        socket.addEventListener("open", function () {
            attempts = 0;
            setStatus("Live: these figures update as people react.");
        });
        socket.addEventListener("message", function (event) {
            var message;
            try { message = JSON.parse(event.data); } catch (error) { return; }
            if (!message || message.schema !== SCHEMA) return;
            if (message.type === "snapshot") applySnapshot(message);
            else if (message.type === "tallies") applyUpdate(message);
        });
        socket.addEventListener("close", function () {
            socket = null;
            attempts += 1;
            var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempts - 1));
            delay = delay / 2 + Math.random() * delay / 2;
            setStatus(
                attempts > 3
                    ? "Live updates are paused, so these figures may be out of date. Trying again shortly; reloading the page also updates them."
                    : "Reconnecting to live updates…"
            );
            retryTimer = setTimeout(connect, delay);
        });
    }

    // Come back at once when the network or the tab does.
    window.addEventListener("online", connect);
    document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") connect();
    });

    // ------------------------------------------------------------ reaction forms

    function formDataWith(form, submitter) {
        var data = new FormData(form);
        if (submitter && submitter.name) data.set(submitter.name, submitter.value);
        return data;
    }

    function updateOwnChoice(form, choice, message) {
        form.querySelectorAll("[data-reaction-choice]").forEach(function (button) {
            button.setAttribute("aria-pressed", String(button.getAttribute("data-reaction-choice") === choice));
        });
        var withdraw = form.querySelector("[data-reaction-withdraw]");
        if (withdraw) withdraw.hidden = !choice;
        var mine = form.querySelector("[data-my-reaction]");
        if (mine) {
            mine.textContent = "";
            if (choice) {
                var pressed = form.querySelector('[data-reaction-choice="' + CSS.escape(choice) + '"]');
                var strong = document.createElement("strong");
                strong.textContent = pressed ? pressed.textContent.trim() : choice;
                mine.append("Your reaction: ", strong, ".");
            } else {
                mine.textContent = mine.hasAttribute("data-empty-text")
                    ? mine.getAttribute("data-empty-text")
                    : "You have not reacted yet.";
            }
        }
        if (message) say(message);
    }

    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form.matches("[data-reaction-form]") || form.hasAttribute("data-plain-submit")) return;
        event.preventDefault();
        var submitter = event.submitter;
        if (form.getAttribute("aria-busy") === "true") return;
        form.setAttribute("aria-busy", "true");

        function plainSubmit() {
            form.setAttribute("data-plain-submit", "");
            form.removeAttribute("aria-busy");
            if (form.requestSubmit) form.requestSubmit(submitter);
            else form.submit();
        }

        fetch(form.action, {
            method: "POST",
            body: formDataWith(form, submitter),
            headers: { Accept: "application/json" },
            credentials: "same-origin",
        })
            .then(function (response) {
                if (response.status === 401 || response.status >= 500) {
                    plainSubmit();
                    return null;
                }
                return response.json().then(function (body) {
                    form.removeAttribute("aria-busy");
                    if (!response.ok) {
                        say("Your reaction was not recorded. " + (body.error || ""));
                        return;
                    }
                    if (body.epoch !== epoch) {
                        // The page's figures predate this epoch: take the fresh one and resync the rest.
                        epoch = body.epoch;
                        versions.clear();
                        lastVersion = body.version;
                        resync();
                    }
                    applyIfNewer(body.tally, body.version, true);
                    updateOwnChoice(form, body.choice, body.message);
                });
            })
            .catch(plainSubmit);
    });

    connect();
})();
