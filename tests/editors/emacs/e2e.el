;;; e2e.el --- the Emacs eglot snippet of editors/README.md, in a real Emacs  -*- lexical-binding: t -*-
;; emacs -q --batch -l tests/editors/emacs/e2e.el   (dockfix on PATH; DOCKFIX_REPO = the repository)
;; Exit status 0 when every check passed.

(require 'package)
(package-initialize)                    ; Debian's elpa-eglot and elpa-dockerfile-mode
(require 'cl-lib)

(defvar e2e-passes 0)
(defvar e2e-failures 0)
(defun e2e-check (ok what)
  (if ok (cl-incf e2e-passes) (cl-incf e2e-failures))
  (princ (format "%s %s\n" (if ok "PASS" "FAIL") what))
  ok)
(defun e2e-wait (predicate &optional seconds)
  "Let processes and timers run until PREDICATE holds (or SECONDS pass)."
  (let ((deadline (+ (float-time) (or seconds 10))))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(let* ((repo (or (getenv "DOCKFIX_REPO") default-directory))
       (readme (with-temp-buffer
                 (insert-file-contents (expand-file-name "editors/README.md" repo))
                 (buffer-string)))
       (start (string-match "<!-- tested by tests/editors/emacs/e2e.el[^\n]*\n```elisp\n" readme))
       (snippet (and start (substring readme (match-end 0)
                                      (string-match "^```" readme (match-end 0)))))
       (dir (make-temp-file "dockfix-eglot" t))
       (file (expand-file-name "Dockerfile" dir)))
  (e2e-check (executable-find "dockfix") (format "dockfix on PATH: %s" (executable-find "dockfix")))
  (e2e-check snippet "README has the tested eglot block")
  (with-temp-buffer
    (insert snippet)
    (eval-buffer))
  (make-directory (expand-file-name ".git" dir))
  (with-temp-file file
    (insert "FROM node:latest\nRUN apt-get update && apt-get install -y curl\nRUN sudo chown -R root /srv\n"))
  (find-file file)
  (e2e-check (eq major-mode 'dockerfile-mode) (format "major mode: %s" major-mode))
  ;; eglot-ensure connects from post-command-hook; batch Emacs runs no commands.
  (run-hooks 'post-command-hook)
  (e2e-check (e2e-wait #'eglot-managed-p) "eglot manages the buffer")
  (flymake-start)
  (e2e-check (e2e-wait (lambda ()
                         (let ((texts (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
                           (and (cl-some (lambda (s) (string-match-p "node:latest" s)) texts)
                                (cl-some (lambda (s) (string-match-p "package lists" s)) texts)))))
             (format "flymake shows dockfix diagnostics: %S"
                     (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
  ;; Typing: a new problem is diagnosed.
  (goto-char (point-max))
  (insert "RUN sudo echo done\n")
  ;; Eglot sends the change from an idle timer, and batch Emacs is never idle.
  (eglot--signal-textDocument/didChange)
  (flymake-start)
  (e2e-check (e2e-wait (lambda ()
                         (cl-some (lambda (d) (and (string-match-p "DF102" (flymake-diagnostic-text d))
                                                   (= (line-number-at-pos (flymake-diagnostic-beg d)) 4)))
                                  (flymake-diagnostics))))
             "typing `RUN sudo …` on line 4 brings DF102 there")
  ;; Fix on save: the before-save hook applies every safe fix.
  (save-buffer)
  (let ((disk (with-temp-buffer (insert-file-contents file) (buffer-string))))
    (princ (format "FILE_ON_DISK %S\n" disk))
    (e2e-check (string-match-p "apt-get install -y curl && rm -rf /var/lib/apt/lists/\\*" disk)
               "on save: apt lists removed (DF302, safe)")
    (e2e-check (and (string-match-p "^RUN chown -R root /srv$" disk) (string-match-p "^RUN echo done$" disk))
               "on save: sudo removed twice (DF102, safe)")
    (e2e-check (string-match-p "\\`FROM node:latest\n" disk) "on save: node:latest untouched (DF201 is unsafe)"))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (set-buffer-modified-p nil)
  (delete-directory dir t)
  (princ (format "%d passed, %d failed\n" e2e-passes e2e-failures))
  (kill-emacs (if (= e2e-failures 0) 0 1)))
