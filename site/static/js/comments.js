/*
 * Comments without reloading the page.
 *
 * The comment forms work as plain POSTs without this file. With it:
 * - posting sends the form in the background and inserts the new comment;
 * - "Reply" opens the reply form under the comment instead of a new page;
 * - errors come back as the same form, text kept, with its error summary focused;
 * - the new comment gets focus and a polite status message says what happened.
 * Hooks are data-* attributes only (no inline script, so a strict CSP works).
 */
(function () {
    "use strict";

    var HEADERS = { "X-Requested-With": "XMLHttpRequest" };

    function announce(container, message) {
        var status = container && container.querySelector("[data-comment-status]");
        if (!status) {
            return;
        }
        // Clear first so the same message twice is still announced.
        status.textContent = "";
        window.setTimeout(function () {
            status.textContent = message;
        }, 100);
    }

    function updateCounts(container, count) {
        var key = container.getAttribute("data-comment-count-key");
        container.querySelectorAll("[data-comment-count]").forEach(function (el) {
            if (el.closest("[data-comments]") === container) {
                el.textContent = count;
            }
        });
        document.querySelectorAll('[data-comment-count-for="' + key + '"]').forEach(function (el) {
            el.textContent = count + (count === "1" ? " comment" : " comments");
        });
    }

    function fromHTML(html) {
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        return template.content.firstElementChild;
    }

    /* Rename every id (and the label/aria references to it) from one prefix to
       another, so a cloned form never repeats an id on the page. */
    function renameIds(root, from, to) {
        root.querySelectorAll("[id], [for], [aria-describedby], [href^='#']").forEach(function (el) {
            ["id", "for", "aria-describedby"].forEach(function (name) {
                var value = el.getAttribute(name);
                if (value && value.indexOf(from) !== -1) {
                    el.setAttribute(name, value.split(from).join(to));
                }
            });
            var href = el.getAttribute("href");
            if (href && href.charAt(0) === "#" && href.indexOf(from) !== -1) {
                el.setAttribute("href", href.split(from).join(to));
            }
        });
    }

    function clearErrors(form) {
        form.querySelectorAll("[data-error-summary], .field-error").forEach(function (el) {
            el.remove();
        });
        form.querySelectorAll("[aria-invalid]").forEach(function (el) {
            el.removeAttribute("aria-invalid");
        });
        var text = form.querySelector("[data-comment-text]");
        if (text) {
            text.setAttribute("aria-describedby", text.id + "-hint");
        }
    }

    function listFor(container, replyTo) {
        if (!replyTo || replyTo === "0") {
            var list = container.querySelector("[data-comment-list]");
            var empty = container.querySelector("[data-no-comments]");
            if (empty) {
                empty.remove();
            }
            return list;
        }
        var parent = document.getElementById("comment-" + replyTo);
        var replies = parent.querySelector(':scope > [data-replies-for="' + replyTo + '"]');
        if (!replies) {
            replies = document.createElement("ol");
            replies.className = "comment-list comment-list--replies";
            replies.setAttribute("data-replies-for", replyTo);
            parent.appendChild(replies);
        }
        return replies;
    }

    function setBusy(form, busy) {
        var button = form.querySelector("[data-comment-submit]");
        if (button) {
            button.disabled = busy;
        }
        if (busy) {
            form.setAttribute("aria-busy", "true");
        } else {
            form.removeAttribute("aria-busy");
        }
    }

    function onSubmit(event) {
        var form = event.target;
        if (!form.matches("[data-comment-form]") || !window.fetch) {
            return;
        }
        event.preventDefault();
        var container = form.closest("[data-comments]");
        var inline = form.closest("[data-inline-reply]");
        var replyTo = (form.querySelector("[name=reply_to]") || {}).value;
        setBusy(form, true);
        fetch(form.action, { method: "POST", body: new FormData(form), headers: HEADERS, credentials: "same-origin" })
            .then(function (response) {
                return response.text().then(function (html) {
                    return { response: response, html: html };
                });
            })
            .then(function (result) {
                var response = result.response;
                if (response.status === 201) {
                    var comment = fromHTML(result.html);
                    var list = listFor(container, replyTo);
                    if (!replyTo || replyTo === "0") {
                        // Conversations are listed newest first; replies in the order they came.
                        list.insertBefore(comment, list.firstChild);
                    } else {
                        list.appendChild(comment);
                    }
                    updateCounts(container, response.headers.get("X-Comment-Count") || "");
                    if (inline) {
                        inline.remove();
                    } else {
                        form.querySelector("[data-comment-text]").value = "";
                        clearErrors(form);
                        setBusy(form, false);
                    }
                    comment.focus();
                    announce(container, inline ? "Your reply has been posted." : "Your comment has been posted.");
                } else if ((response.status === 400 || response.status === 429) && result.html.indexOf("data-comment-form") !== -1) {
                    var fresh = fromHTML(result.html);
                    if (inline) {
                        addCancel(fresh, inline);
                    }
                    form.replaceWith(fresh);
                    var summary = fresh.querySelector("[data-error-summary]");
                    if (summary) {
                        summary.focus();
                    }
                } else {
                    // Refused, signed out, or something unexpected: send the
                    // form the ordinary way so the server's page explains.
                    HTMLFormElement.prototype.submit.call(form);
                }
            })
            .catch(function () {
                HTMLFormElement.prototype.submit.call(form);
            });
    }

    function addCancel(form, inline) {
        var actions = form.querySelector(".comment-form__actions");
        var cancel = document.createElement("button");
        cancel.type = "button";
        cancel.className = "button button--secondary";
        cancel.textContent = "Cancel";
        cancel.addEventListener("click", function () {
            var link = inline.replyLink;
            inline.remove();
            if (link) {
                link.focus();
            }
        });
        actions.appendChild(cancel);
    }

    function openReply(link) {
        var replyTo = link.getAttribute("data-reply-to");
        var item = document.getElementById("comment-" + replyTo);
        var open = item.querySelector(":scope > [data-inline-reply]");
        if (open) {
            open.querySelector("[data-comment-text]").focus();
            return;
        }
        var container = item.closest("[data-comments]");
        var source = container.querySelector("[data-comment-form-area] [data-comment-form]");
        if (!source) {
            window.location.href = link.href;
            return;
        }
        var form = source.cloneNode(true);
        var text = form.querySelector("[data-comment-text]");
        var base = text.id.replace(/comment$/, "");
        renameIds(form, base, base.replace(/_$/, "") + "r" + replyTo + "_");
        clearErrors(form);
        text.value = "";
        form.querySelector("[name=reply_to]").value = replyTo;
        form.querySelector("[data-comment-label]").textContent =
            "Your reply to " + link.getAttribute("data-reply-author");
        form.querySelector("[data-comment-submit]").textContent = "Post reply";
        form.querySelector("[data-comment-submit]").disabled = false;

        var wrapper = document.createElement("div");
        wrapper.className = "comment__reply-form";
        wrapper.setAttribute("data-inline-reply", replyTo);
        wrapper.replyLink = link;
        wrapper.appendChild(form);
        addCancel(form, wrapper);
        var replies = item.querySelector(":scope > [data-replies-for]");
        item.insertBefore(wrapper, replies);
        text.focus();
    }

    document.addEventListener("submit", onSubmit);
    document.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("[data-reply-link]");
        if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
            return;
        }
        event.preventDefault();
        openReply(link);
    });
})();
