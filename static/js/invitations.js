// Invitations, servers and users pages: "Copy link" buttons copy their data-copy value, and
// forms with data-confirm ask before they post (removing a server, deleting an invitation).

export function wireCopyButtons(root) {
  for (const button of root.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Select the link and copy it";
      }
    });
  }
}

export function wireConfirmations(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

wireCopyButtons(document);
wireConfirmations(document);
