// Progressive enhancement only: a "Reply to ..." link also picks that
// comment in the form's "In reply to" list. Everything works without it.
document.querySelectorAll('a.reply-link').forEach(function (a) {
  a.addEventListener('click', function () {
    var select = document.getElementById('c-reply-to');
    if (select) { select.value = a.getAttribute('data-reply-to'); }
  });
});
