// Security keys: allauth's WebAuthn script reports a failed or cancelled ceremony as an
// 'allauth.error' event (and only logs it); show the page's own message instead, in words.
(function () {
  document.addEventListener('allauth.error', function (event) {
    const box = document.getElementById('webauthn-error')
    if (box) {
      box.hidden = false
      box.focus()
      event.preventDefault()
    }
  })
})()
