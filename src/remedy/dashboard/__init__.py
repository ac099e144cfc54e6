"""`remedy dashboard`: a Streamlit app on the published marts, for people who read them.

`queries` holds the figures (SQL on schema main and rpt_ tables), `formatting` the Korean
labels and won formatting, `views` the Streamlit pages, `app` the entry point that
`streamlit run` serves, `server` the command line that starts it on 127.0.0.1.
"""
